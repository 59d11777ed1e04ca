"""The canonical datasets: their columns, types and the header words users actually write.

Everything downstream (mapping, validation, storage, templates) reads this one table, so a new
column or synonym is added here and nowhere else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Column kinds understood by alignment.parsing.
TEXT, MONEY, NUMBER, PERCENT, MONTH, DATE, SCORE, HEALTH, RISK, RGT, CAPEX, GROUP, DIMENSION, SCENARIO = (
    "text", "money", "number", "percent", "month", "date", "score", "health", "risk", "rgt",
    "capex", "group", "dimension", "scenario",
)

SQL_TYPES = {
    TEXT: "VARCHAR", MONEY: "DOUBLE", NUMBER: "DOUBLE", PERCENT: "DOUBLE", MONTH: "DATE",
    DATE: "DATE", SCORE: "INTEGER", HEALTH: "VARCHAR", RISK: "INTEGER", RGT: "VARCHAR",
    CAPEX: "VARCHAR", GROUP: "VARCHAR", DIMENSION: "VARCHAR", SCENARIO: "VARCHAR",
}


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    synonyms: tuple[str, ...] = ()
    help: str = ""
    stored: bool = True  # False for input-only columns (the long spend layout's scenario/amount)


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    # At least one column of each group must be present in the file.
    one_of: tuple[tuple[str, ...], ...] = field(default=())

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def stored_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.stored)


LUFTMAN_DIMENSIONS = (
    "Communications",
    "Value measurement",
    "Governance",
    "Partnership",
    "Scope & architecture",
    "Skills",
)

# A survey question scored 0-10 for Bain's Net Promoter Score: its dimension says so (any of these
# words), or, with no dimension given, its text asks about recommending. Stored with dimension NPS.
NPS_DIMENSION = "NPS"
NPS_WORDS = ("nps", "net promoter", "net promoter score")
NPS_QUESTION_WORD = "recommend"
NPS_RANGE = (0, 10)

SPEND = Dataset(
    "spend",
    "IT spend",
    "One line of IT cost: a GL line, an invoice or a budget line.",
    (
        Column("period", MONTH, True, ("month", "period", "posting period", "fiscal period", "posting date",
                                       "date", "gl date", "invoice date", "accounting period", "fiscal month"),
               "Month of the cost; any date in the month."),
        Column("business_unit", TEXT, True, ("business unit", "bu", "division", "department", "dept",
                                             "business area", "segment", "line of business", "lob", "unit"),
               "The business unit the cost serves."),
        Column("budget", MONEY, False, ("budget", "plan", "budget amount", "planned", "budgeted", "plan amount"),
               "Budgeted amount."),
        Column("actual", MONEY, False, ("actual", "actuals", "actual amount", "actual spend", "spend", "cost",
                                        "amount spent", "actual cost", "net amount", "expense"),
               "Actual amount."),
        Column("forecast", MONEY, False, ("forecast", "fcst", "outlook", "latest estimate", "le", "projection"),
               "Forecast (latest estimate)."),
        Column("cost_center", TEXT, False, ("cost center", "cost centre", "cc", "cost center code", "cost ctr"),
               "Cost center."),
        Column("cost_pool", TEXT, False, ("cost pool", "tbm cost pool", "pool", "cost type", "expense type",
                                          "cost category"),
               "TBM cost pool: internal labor, hardware, software, cloud…"),
        Column("tower", TEXT, False, ("tower", "it tower", "tbm tower", "service tower", "it service"),
               "TBM IT tower: application, compute, network…"),
        Column("business_goal", TEXT, False, ("business goal", "goal", "objective", "business objective",
                                              "capability", "business capability", "strategic goal",
                                              "strategic objective"),
               "The business goal the cost serves; blank means unmapped."),
        Column("rgt", RGT, False, ("rgt", "run grow transform", "run/grow/transform", "investment type",
                                   "investment category", "rtb/ctb"),
               "Run, grow or transform."),
        Column("capex_opex", CAPEX, False, ("capex opex", "capex/opex", "capex_opex", "expenditure type",
                                            "capital or operating", "capex or opex"),
               "Capex or opex."),
        Column("vendor", TEXT, False, ("vendor", "supplier", "vendor name", "supplier name", "payee"),
               "Vendor or supplier."),
        Column("project_id", TEXT, False, ("project id", "project", "project code", "project number",
                                           "wbs", "wbs element"),
               "Project the cost belongs to."),
        Column("description", TEXT, False, ("description", "desc", "line description", "memo", "narrative",
                                            "text", "comment"),
               "Free text."),
        Column("account", TEXT, False, ("account", "gl account", "account code", "account number", "account no",
                                         "gl code", "gl account code", "gl account number", "gl acct",
                                         "natural account", "ledger account", "nominal code", "nominal account",
                                         "cost element", "object code", "acct", "gl"),
               "GL account code: what mapping rules most often match on."),
        Column("account_name", TEXT, False, ("account name", "account description", "gl account name",
                                              "gl account description", "gl account desc", "account desc",
                                              "gl description", "gl name", "account title", "nominal description",
                                              "cost element name", "cost element description"),
               "GL account name."),
        Column("debit", MONEY, False, ("debit", "dr", "debit amount", "debits", "dr amount", "debit value"),
               "GL layout: the debit; the amount is debit minus credit.", stored=False),
        Column("credit", MONEY, False, ("credit", "cr", "credit amount", "credits", "cr amount", "credit value"),
               "GL layout: the credit; the amount is debit minus credit.", stored=False),
        Column("dc_indicator", TEXT, False, ("d/c", "dr/cr", "debit/credit", "debit/credit indicator",
                                             "d/c indicator", "dc indicator", "dr/cr indicator", "dc", "drcr",
                                             "debit/credit ind", "shkzg"),
               "GL layout: D or C beside one amount; credit lines count as minus.", stored=False),
        Column("scenario", SCENARIO, False, ("scenario", "version", "value type", "data type", "type of amount"),
               "Long layout: budget, actual or forecast.", stored=False),
        Column("amount", MONEY, False, ("amount", "value", "amount (usd)", "usd"),
               "Long layout: the amount of the scenario.", stored=False),
    ),
    one_of=(("budget", "actual", "forecast", "amount", "debit", "credit"),),
)

PROJECTS = Dataset(
    "projects",
    "Project register",
    "One row per initiative.",
    (
        Column("project_id", TEXT, True, ("project id", "id", "project code", "project number", "ref",
                                          "project ref", "project no", "initiative id"),
               "The project's code, unique in the register."),
        Column("name", TEXT, True, ("name", "project name", "project", "initiative", "title", "project title"),
               "The project's name as people say it."),
        Column("business_unit", TEXT, False, ("business unit", "sponsor bu", "sponsor", "sponsoring unit",
                                              "bu", "division", "department", "sponsor business unit"),
               "The business unit that sponsors the project."),
        Column("business_goal", TEXT, False, ("business goal", "goal", "objective", "strategic objective",
                                              "capability", "strategic goal"),
               "The business goal the project serves."),
        Column("status", TEXT, False, ("status", "stage", "phase", "project status"),
               "Where the project is: proposed, in flight, closed…"),
        Column("health", HEALTH, False, ("health", "rag", "rag status", "overall health", "status colour",
                                         "status color", "overall rag"),
               "Overall health: green, amber or red (G/A/R)."),
        Column("planned_start", DATE, False, ("planned start", "start date", "baseline start", "plan start",
                                              "start"),
               "The start date in the approved plan."),
        Column("planned_end", DATE, False, ("planned end", "end date", "baseline end", "plan end",
                                            "planned finish", "due date", "target date", "end", "finish"),
               "The end date in the approved plan."),
        Column("actual_start", DATE, False, ("actual start", "actual start date", "started"),
               "The day work really started."),
        Column("actual_end", DATE, False, ("actual end", "actual finish", "forecast end", "forecast finish",
                                           "actual/forecast end", "completed", "completion date"),
               "The day it finished, or is now forecast to."),
        Column("budget", MONEY, False, ("budget", "approved budget", "budget (usd)", "baseline budget",
                                        "planned cost"),
               "The approved budget."),
        Column("actual_cost", MONEY, False, ("actual cost", "spend to date", "actuals", "actual", "cost to date",
                                             "actual spend", "cost"),
               "What it has cost so far."),
        Column("expected_benefit", MONEY, False, ("expected benefit", "planned benefit", "target benefit",
                                                  "business case benefit", "benefit"),
               "The benefit the business case promised."),
        Column("realized_benefit", MONEY, False, ("realized benefit", "realised benefit", "benefit realized",
                                                  "benefit realised", "actual benefit", "delivered benefit"),
               "The benefit delivered so far."),
        Column("strategic_alignment", SCORE, False, ("strategic alignment", "alignment", "strategic fit",
                                                     "alignment score", "strategic score"),
               "How well it fits the strategy, 1-5."),
        Column("risk", RISK, False, ("risk", "risk rating", "risk score", "risk level"),
               "Risk, 1-5 or very low to very high."),
        Column("percent_complete", PERCENT, False, ("percent complete", "% complete", "pct complete",
                                                    "complete", "progress", "completion"),
               "How much is done, as a percentage."),
    ),
)

STAGE_HISTORY = Dataset(
    "stage_history",
    "Stage history",
    "How projects, requests or changes move through stages.",
    (
        Column("item_id", TEXT, True, ("item id", "id", "project id", "request id", "ticket", "ticket id",
                                       "change id", "item", "key", "issue key"),
               "The project, request or change that moves."),
        Column("stage", TEXT, True, ("stage", "status", "state", "phase", "step", "column"),
               "The stage it entered: intake, approval, build…"),
        Column("entered", DATE, True, ("entered", "entered on", "start", "start date", "from", "entered date",
                                       "date entered", "in"),
               "The day it entered the stage."),
        Column("exited", DATE, False, ("exited", "exited on", "end", "end date", "to", "exit date",
                                       "date exited", "left", "out"),
               "The day it left the stage; blank while it is still there."),
        Column("item_type", TEXT, False, ("item type", "type", "work type", "request type", "issue type"),
               "What kind of item: project, request, change…"),
        Column("business_unit", TEXT, False, ("business unit", "bu", "requesting unit", "division",
                                              "department", "sponsor"),
               "The business unit that asked for it."),
    ),
)

SURVEY = Dataset(
    "survey",
    "Survey answers",
    "One row per respondent and question (a wide sheet with a column per question is melted).",
    (
        Column("respondent_id", TEXT, True, ("respondent id", "respondent", "response id", "participant",
                                             "participant id", "id", "email", "name"),
               "Who answered (any id or e-mail; kept to count people once)."),
        Column("question", TEXT, True, ("question", "item", "statement", "question text"),
               "The question or statement answered."),
        Column("score", SCORE, True, ("score", "answer", "rating", "response", "value", "satisfaction"),
               "1-5, or 0-10 for a Net Promoter question (dimension NPS, or a question about recommending)."),
        Column("wave", TEXT, False, ("wave", "survey", "survey name", "round", "survey date", "edition"),
               "Which survey round: a name or its date."),
        Column("respondent_group", GROUP, True, ("respondent group", "group", "it or business",
                                                 "it/business", "side", "constituency", "audience"),
               "Whether the person works in IT or the business."),
        Column("business_unit", TEXT, False, ("business unit", "bu", "division", "department", "unit"),
               "The respondent's business unit."),
        Column("role", TEXT, False, ("role", "job title", "position", "title"),
               "The respondent's job or role."),
        Column("dimension", DIMENSION, False, ("dimension", "category", "area", "theme", "criterion"),
               "One of Luftman's six, your own, or NPS for the 0-10 likelihood to recommend."),
        Column("importance", SCORE, False, ("importance", "importance score", "priority"),
               "How much the question matters to them, 1-5."),
        Column("comment", TEXT, False, ("comment", "comments", "remarks", "notes", "feedback"),
               "Anything they wrote."),
    ),
)

BUSINESS_METRICS = Dataset(
    "business_metrics",
    "Business metrics",
    "Revenue and headcount per unit and month, for spend ratios and shared-cost allocation.",
    (
        Column("period", MONTH, True, ("month", "period", "date", "fiscal period"),
               "The month; any date in the month."),
        Column("business_unit", TEXT, True, ("business unit", "bu", "division", "department", "unit"),
               "The business unit."),
        Column("revenue", MONEY, False, ("revenue", "sales", "turnover", "net revenue", "income"),
               "The unit's revenue in the month."),
        Column("headcount", NUMBER, False, ("headcount", "fte", "ftes", "employees", "staff", "head count"),
               "The unit's people (FTEs) in the month."),
    ),
    one_of=(("revenue", "headcount"),),
)

MAPPING_RULES = Dataset(
    "mapping_rules",
    "Mapping rules",
    "How spend lines tie to what they serve (TBM mapping): where a line's column has a value, set another "
    "column, optionally split by weight. Applied when the analyses run; a value in the spend line wins.",
    (
        Column("match_column", TEXT, True, ("match column", "if column", "when column", "match field", "source column",
                                            "match on"),
               "The spend column to look at: cost_center, account, vendor, project_id, business_unit, tower, "
               "cost_pool or description."),
        Column("match_value", TEXT, True, ("match value", "if value", "when value", "pattern", "match",
                                           "source value"),
               "The value it must have (any case); * at either end is a wildcard: CC-1*, *cloud."),
        Column("sets_column", TEXT, True, ("sets column", "set column", "then column", "target column",
                                           "maps column", "target field"),
               "The spend column the rule fills: business_goal, business_unit, tower, cost_pool, rgt or capex_opex."),
        Column("sets_value", TEXT, True, ("sets value", "set value", "then value", "target value", "maps to",
                                          "mapped value", "value"),
               "The value it fills in."),
        Column("weight", PERCENT, False, ("weight", "split", "share", "allocation", "allocation %", "percent",
                                          "split %"),
               "The share of the line (default 100%); the weights of one match and column add up to 100%."),
    ),
)

DATASETS: dict[str, Dataset] = {d.name: d for d in (SPEND, PROJECTS, STAGE_HISTORY, SURVEY, BUSINESS_METRICS,
                                                    MAPPING_RULES)}


def get_dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise ValueError(f"Unknown dataset '{name}'. Choose one of: {', '.join(DATASETS)}.") from None
