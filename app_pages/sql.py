import streamlit as st

from alignment.queries import QueryError, compose, public_queries, run_read_only
from app_pages.common import store_or_stop, table

st.title("SQL explorer")
st.caption("Read-only SQL over the datasets (spend, projects, stage_history, survey, business_metrics, uploads). "
           "Files, network and writes are refused; long queries are stopped.")
examples = public_queries()


def use_example() -> None:
    """Put the chosen analysis in the editor, with its default parameters written in."""
    choice = st.session_state["example"]
    if choice == "(blank)":
        return
    sql, params = compose(examples[choice])
    for p in params:
        literal = "NULL" if p.default is None else f"'{p.default}'"
        sql = sql.replace(f"${p.name}::DATE", f"CAST({literal} AS DATE)").replace(f"${p.name}", literal)
    st.session_state["sql_text"] = sql


st.selectbox("Start from a built-in analysis", ["(blank)", *examples], key="example", on_change=use_example,
             format_func=lambda n: n if n == "(blank)" else f"{examples[n].title} ({n})")
st.session_state.setdefault("sql_text", "SELECT business_unit, sum(actual) AS actual\n"
                            "FROM spend GROUP BY ALL ORDER BY actual DESC")
text = st.text_area("SQL", key="sql_text", height=260)
if st.button("Run", type="primary"):
    try:
        result = run_read_only(store_or_stop().cursor(), text)
    except QueryError as exc:
        st.error(str(exc))
    else:
        st.caption(f"{len(result):,} row(s)")
        table(result, "query_result")
