"""No configured secret ever reaches a page, whoever is looking.

The attack: with sign-in configured, the sign-in screen evaluated ``st.secrets["auth"]`` as a
bare expression, which Streamlit's magic drew on the page for every visitor (client secret and
cookie secret, enough to forge an editor's session cookie).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_app_pages import APP, demo_db  # noqa: F401 - the fixture

COOKIE = "cookie-S3CRET-4f1d9a"
CLIENT = "client-S3CRET-77b2c0"
SECRETS = {
    "access": {"editors": ["cfo@example.com"], "viewers": ["@example.com"], "participants": ["*"]},
    "auth": {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": COOKIE,
             "client_id": "dashboard", "client_secret": CLIENT,
             "server_metadata_url": "https://id.example.com/.well-known/openid-configuration"},
}
VALUES = (COOKIE, CLIENT)


def everything_shown(at: AppTest) -> str:
    """Every element's message, main area and sidebar alike, as one text."""
    parts: list[str] = []

    def walk(node: object) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
        for child in getattr(node, "children", {}).values():
            walk(child)

    walk(at._tree)
    return "\n".join(parts)


def visit(email: str | None, page: str | None = None, **query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in SECRETS.items():
        at.secrets[key] = value
    at.user = {"is_logged_in": True, "email": email} if email else {"is_logged_in": False}
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def registered(at: AppTest) -> list[str]:
    return sorted({info["script_path"] for info in at._registered_pages.values()})


def assert_no_secret(at: AppTest, who: str) -> None:
    assert not at.exception, at.exception
    shown = everything_shown(at)
    assert shown, "the page showed nothing at all: the check would be empty"
    for value in VALUES:
        assert value not in shown, f"a secret reached the page for {who}"


def test_the_sign_in_screen_shows_no_secret(demo_db):  # noqa: F811
    at = visit(None)
    assert at.button[0].label == "Sign in"
    assert_no_secret(at, "a signed-out visitor")


@pytest.mark.parametrize("email", ["cfo@example.com", "ann@example.com", "x@y.org", "eve@elsewhere.org"])
def test_no_page_shows_a_secret_to_any_role(demo_db, email):  # noqa: F811
    first = visit(email)
    assert_no_secret(first, email)
    for page in registered(first):
        at = visit(email, str(Path(page).relative_to(Path(APP).parent)) if Path(page).is_absolute() else page)
        assert_no_secret(at, f"{email} on {page}")


def test_a_join_link_shows_no_secret(demo_db):  # noqa: F811
    import app_pages.common as common

    common.get_store().open_live_session("SECR22", "Secret test")
    assert_no_secret(visit(None, join="SECR22"), "an anonymous participant")


def test_magic_is_off_so_a_bare_expression_draws_nothing():
    at = AppTest.from_string("import streamlit as st\n'drawn by magic'\nst.write('drawn on purpose')\n").run()
    shown = everything_shown(at)
    assert "drawn on purpose" in shown and "drawn by magic" not in shown
