"""Whatever the address bar says, a page answers with a sentence, never the error page."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import APP, demo_db  # noqa: F401 - the fixture


@pytest.mark.parametrize("query", [{"from": "abc"}, {"to": "2026-13"}, {"from": "2026-02-30", "to": "x' OR 1=1"},
                                   {"bu": "Retail\u200b"}, {"slide": "abc"}, {"slide": "-4"}, {"slide": "999"}])
@pytest.mark.parametrize("presenting", [True, False])
def test_a_hostile_address_gets_a_sentence_not_an_error_page(demo_db, query, presenting):  # noqa: F811
    at = AppTest.from_file(APP, default_timeout=60)
    if presenting:
        at.query_params["present"] = "1"
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    if any(k in query for k in ("from", "to")):
        assert any("not a month" in w.value for w in at.warning)
    if "bu" in query and not presenting:
        assert any("has no data here" in w.value for w in at.warning)
