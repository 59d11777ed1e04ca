import streamlit as st

from alignment import explorer
from alignment.config import sql_result_bytes
from alignment.exports import to_csv
from alignment.formatting import how_many
from alignment.queries import QueryError, public_queries, standalone_sql
from app_pages.common import store_or_stop

st.title("SQL explorer")
st.caption("Read-only SQL over a snapshot of the datasets (spend, projects, stage_history, survey, mapping_rules, "
           "business_metrics, uploads, and spend_summary / spend_detail: spend summed as the analyses read it), "
           "in a process of its own: it cannot change anything, read files or the "
           "network, and a query that runs too long or takes too much memory is stopped.")
examples = public_queries()


def use_example() -> None:
    """Put the chosen analysis in the editor, its parameters written in as the dashboards bind them."""
    choice = st.session_state["example"]
    if choice == "(blank)":
        return
    st.session_state["sql_text"] = standalone_sql(examples[choice], store_or_stop().settings())


st.selectbox("Start from a built-in analysis", ["(blank)", *examples], key="example", on_change=use_example,
             format_func=lambda n: n if n == "(blank)" else f"{examples[n].title} ({n})")
st.session_state.setdefault("sql_text", "SELECT business_unit, sum(actual) AS actual\n"
                            "FROM spend GROUP BY ALL ORDER BY actual DESC")
text = st.text_area("SQL", key="sql_text", height=260)
if st.button("Run", type="primary"):
    try:
        result = explorer.run(store_or_stop(), text)
    except QueryError as exc:
        st.error(str(exc))
    else:
        frame = result.df()
        if result.cut_by == "rows":
            st.warning(f"Showing the first {len(frame):,} rows; the result has more. Aggregate, filter or add "
                       "a LIMIT to see the rest.")
        elif result.cut_by == "bytes":
            st.warning(f"Showing the first {len(frame):,} rows; the result is larger than the explorer hands "
                       f"back ({sql_result_bytes() // 2**20} MB). Select fewer or smaller columns.")
        else:
            st.caption(how_many(len(frame), "row"))
        # Headed as the query names its columns, not by the dashboards' labels (explorer.as_queried).
        shown, config = explorer.as_queried(frame)
        st.dataframe(shown, hide_index=True, width="stretch", column_config=config, placeholder="")
        st.download_button("Download CSV", data=lambda: to_csv(frame), file_name="query_result.csv",
                           mime="text/csv", key="csv-query_result", on_click="ignore", icon=":material/download:")
