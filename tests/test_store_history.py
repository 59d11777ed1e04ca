"""The upload history as a stack of reversible steps, checked against a model on random sequences.

Found by attack: replace 2, append 3, undo 2, restore 2 left only 2 active (restore superseded
the append too); undo X, append X again, restore the first counted X twice.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as strat
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from alignment import cli
from alignment.store import DuplicateUpload, Store, StoreError

DATASETS = {"spend": "actual", "business_metrics": "revenue"}
FILES = (0, 1, 2)  # file k holds one row of amount 10**k, so every sum says which files count


def frame(dataset: str, file: int) -> pd.DataFrame:
    return pd.DataFrame({"period": [dt.date(2026, 1, 1)], "business_unit": ["Retail"],
                         DATASETS[dataset]: [float(10 ** file)]})


class History(RuleBasedStateMachine):
    """The store and a plain model take the same steps; their states must agree after each."""

    def __init__(self) -> None:
        super().__init__()
        self.store = Store(":memory:")
        self.model: dict[int, dict] = {}  # id -> dataset, file, status, superseded_by, replaced (ids)

    def teardown(self) -> None:
        self.store.close()

    # --- the model ------------------------------------------------------------------------

    def active(self, dataset: str) -> list[int]:
        return [i for i, u in self.model.items() if u["dataset"] == dataset and u["status"] == "active"]

    def load(self, dataset: str, file: int, mode: str) -> None:
        twin = [i for i in self.active(dataset) if self.model[i]["file"] == file]
        if mode == "append" and twin:
            with pytest.raises(DuplicateUpload):
                self.store.add_batch(dataset, frame(dataset, file), mode=mode, sha256=f"f{file}",
                                     refuse_duplicate=True)
            return
        new = self.store.add_batch(dataset, frame(dataset, file), mode=mode, sha256=f"f{file}",
                                   refuse_duplicate=True)
        replaced = self.active(dataset) if mode == "replace" else []
        for i in replaced:
            self.model[i].update(status="superseded", superseded_by=new)
        self.model[new] = {"dataset": dataset, "file": file, "status": "active", "superseded_by": None,
                           "replaced": replaced}

    def model_undo(self, batch: int) -> bool:
        upload = self.model.get(batch)
        if upload is None or upload["status"] != "active":
            return False
        back = [u for u in self.model.values() if u["superseded_by"] == batch and u["status"] == "superseded"]
        # the batch itself leaves: a replace by the same file is undone (this once refused it, wrongly)
        active_files = {self.model[i]["file"] for i in self.active(upload["dataset"]) if i != batch}
        if any(u["file"] in active_files for u in back):
            return False  # it would count a file twice
        upload["status"] = "undone"
        for u in self.model.values():
            if u["superseded_by"] == batch and u["status"] == "superseded":
                u.update(status="active", superseded_by=None)
        return True

    def model_restore(self, batch: int) -> bool:
        upload = self.model.get(batch)
        if upload is None or upload["status"] != "undone":
            return False
        if any(self.model[i]["status"] != "active" for i in upload["replaced"]):
            return False
        staying = [i for i in self.active(upload["dataset"]) if i not in upload["replaced"]]
        if any(self.model[i]["file"] == upload["file"] for i in staying):
            return False
        for i in upload["replaced"]:
            self.model[i].update(status="superseded", superseded_by=batch)
        upload["status"] = "active"
        return True

    def state(self) -> dict[int, str]:
        return dict(self.store.cursor().execute("SELECT id, status FROM uploads").fetchall())

    # --- the steps ------------------------------------------------------------------------

    @rule(dataset=strat.sampled_from(sorted(DATASETS)), file=strat.sampled_from(FILES),
          mode=strat.sampled_from(["append", "replace"]))
    def upload(self, dataset: str, file: int, mode: str) -> None:
        self.load(dataset, file, mode)

    @precondition(lambda self: self.model)
    @rule(data=strat.data())
    def undo(self, data) -> None:  # noqa: ANN001 - hypothesis's data object
        batch = data.draw(strat.sampled_from(sorted(self.model)))
        if self.model_undo(batch):
            self.store.undo(batch)
        else:
            with pytest.raises(StoreError):
                self.store.undo(batch)

    @precondition(lambda self: self.model)
    @rule(data=strat.data())
    def restore(self, data) -> None:  # noqa: ANN001
        batch = data.draw(strat.sampled_from(sorted(self.model)))
        if self.model_restore(batch):
            self.store.redo(batch)
        else:
            with pytest.raises(StoreError):
                self.store.redo(batch)

    @precondition(lambda self: any(u["status"] == "active" for u in self.model.values()))
    @rule(data=strat.data())
    def undo_then_restore_changes_nothing(self, data) -> None:  # noqa: ANN001
        batch = data.draw(strat.sampled_from(sorted(i for i, u in self.model.items() if u["status"] == "active")))
        before = self.state()
        try:
            self.store.undo(batch)
        except StoreError:
            assert self.state() == before  # a refused undo changes nothing either
            return
        self.store.redo(batch)
        assert self.state() == before

    @precondition(lambda self: any(u["status"] == "undone" for u in self.model.values()))
    @rule(data=strat.data())
    def restore_then_undo_changes_nothing(self, data) -> None:  # noqa: ANN001
        batch = data.draw(strat.sampled_from(sorted(i for i, u in self.model.items() if u["status"] == "undone")))
        before = self.state()
        try:
            self.store.redo(batch)
        except StoreError:
            assert self.state() == before  # a refused restore changes nothing either
            return
        self.store.undo(batch)
        assert self.state() == before

    # --- what must always hold -----------------------------------------------------------

    @invariant()
    def statuses_match_the_model(self) -> None:
        assert self.state() == {i: u["status"] for i, u in self.model.items()}

    @invariant()
    def every_file_counts_at_most_once(self) -> None:
        cur = self.store.cursor()
        for dataset, column in DATASETS.items():
            files = [self.model[i]["file"] for i in self.active(dataset)]
            assert len(files) == len(set(files))
            total = cur.execute(f"SELECT coalesce(sum({column}), 0) FROM {dataset}").fetchone()[0]
            assert total == sum(10 ** f for f in files)


TestHistory = History.TestCase
TestHistory.settings = settings(max_examples=60, stateful_step_count=20, deadline=None,
                                suppress_health_check=[HealthCheck.too_slow])


class LakeHistory(History):
    """The same steps and model on the shared store (fewer: each step commits to PostgreSQL)."""

    new_location = None  # set per test by _lakes_for_the_machine

    def __init__(self) -> None:
        RuleBasedStateMachine.__init__(self)
        self.store = Store(LakeHistory.new_location())
        self.model = {}


TestHistoryOnLake = LakeHistory.TestCase
TestHistoryOnLake.settings = settings(max_examples=3, stateful_step_count=10, deadline=None,
                                      suppress_health_check=[HealthCheck.too_slow])


@pytest.fixture(autouse=True)
def _lakes_for_the_machine(request: pytest.FixtureRequest) -> None:
    if request.cls is TestHistoryOnLake:
        LakeHistory.new_location = request.getfixturevalue("lake")


def test_replace_append_undo_restore_gives_back_both(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    second = store.add_batch("spend", frame("spend", 1), mode="replace", sha256="b")
    third = store.add_batch("spend", frame("spend", 2), sha256="c")
    assert store.undo(second) == [first]
    assert store.redo(second) == [first]
    assert dict(store.cursor().execute("SELECT id, status FROM uploads").fetchall()) == {
        first: "superseded", second: "active", third: "active"}


def test_undo_that_would_bring_back_a_file_loaded_again_is_refused(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    second = store.add_batch("spend", frame("spend", 1), mode="replace", sha256="b")
    again = store.add_batch("spend", frame("spend", 0), sha256="a", refuse_duplicate=True)
    with pytest.raises(StoreError, match=f"bring back upload {first}, whose rows are active again as upload {again}"):
        store.undo(second)
    store.undo(again)
    assert store.undo(second) == [first]


def test_a_replace_by_the_same_file_is_undone_and_restored(store):
    """Undoing it brings back the upload it replaced; nothing is counted twice, so nothing is refused."""
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    second = store.add_batch("spend", frame("spend", 0), mode="replace", sha256="a")
    assert store.undo(second) == [first]
    assert store.redo(second) == [first]


def test_undo_that_would_bring_back_rows_loaded_again_from_another_file_is_refused(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="csv")
    second = store.add_batch("spend", frame("spend", 1), mode="replace", sha256="b")
    again = store.add_batch("spend", frame("spend", 0), sha256="xlsx", refuse_duplicate=True)  # first's rows
    with pytest.raises(StoreError, match=f"bring back upload {first}, whose rows are active again as upload {again}"):
        store.undo(second)


def test_restoring_a_file_that_was_loaded_again_is_refused(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    store.undo(first)
    again = store.add_batch("spend", frame("spend", 0), sha256="a", refuse_duplicate=True)
    with pytest.raises(StoreError, match=f"same rows are active as upload {again}"):
        store.redo(first)


def test_restoring_over_a_later_replace_is_refused(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    second = store.add_batch("spend", frame("spend", 1), mode="replace", sha256="b")
    store.undo(second)
    third = store.add_batch("spend", frame("spend", 2), mode="replace", sha256="c")
    with pytest.raises(StoreError, match=f"replaced upload {first}, which has been replaced or undone since. "
                                         f"Undo upload {third} first, or load the file again.$"):
        store.redo(second)
    store.undo(third)
    assert store.redo(second) == [first]


def test_restoring_a_replace_whose_upload_was_undone_since_says_to_restore_that_one_first(store):
    """A review undid a replace (11), then the upload it had replaced (9), then restored 11: the
    refusal said to undo 'the later upload', when the step that works is to restore 9."""
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    second = store.add_batch("spend", frame("spend", 1), mode="replace", sha256="b")
    store.undo(second)
    store.undo(first)
    with pytest.raises(StoreError, match=f"Restore upload {first} first, or load the file again.$"):
        store.redo(second)
    store.redo(first)
    assert store.redo(second) == [first]


def test_restoring_over_a_later_replace_names_every_upload_it_replaced(store):
    first = store.add_batch("spend", frame("spend", 0), sha256="a")
    other = store.add_batch("spend", frame("spend", 1), sha256="b")
    third = store.add_batch("spend", frame("spend", 2), mode="replace", sha256="c")
    store.undo(third)
    store.add_batch("spend", frame("spend", 3), mode="replace", sha256="d")
    with pytest.raises(StoreError, match=f"replaced uploads {first} and {other}, which have been replaced"):
        store.redo(third)


def test_restore_on_the_command_line(tmp_path, capsys):
    db = tmp_path / "h.duckdb"
    with Store(db) as s:
        first = s.add_batch("spend", frame("spend", 0), sha256="a")
        s.undo(first)
    assert cli.main(["restore", str(first), "--db", str(db)]) == 0
    assert f'"restored": {first}' in capsys.readouterr().out
    assert cli.main(["restore", str(first), "--db", str(db)]) == 1
    assert "is active, not undone" in capsys.readouterr().err
