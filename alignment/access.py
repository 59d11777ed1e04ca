"""Who may do what, when sign-in is configured in .streamlit/secrets.toml.

Without an [access] section the app is open and everyone is an editor (a laptop in a workshop,
a single analyst). With one, people sign in through Streamlit's st.login (the [auth] section
names the identity provider) and their e-mail picks the role:

    [access]
    editors = ["cfo@example.com"]        # load, replace and undo data; run live sessions
    viewers = ["@example.com"]           # every dashboard, the SQL explorer, downloads
    participants = ["*"]                 # only answer a live survey
    anonymous_answers = true             # a join code alone lets someone answer (default)

An entry is an address, "@domain" for everyone at that domain, or "*" for anyone signed in.
The first list that matches, in the order editors, viewers, participants, wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

EDITOR, VIEWER, PARTICIPANT = "editor", "viewer", "participant"
PERMISSIONS: dict[str, frozenset[str]] = {
    EDITOR: frozenset({"read", "edit", "facilitate", "answer"}),
    VIEWER: frozenset({"read", "answer"}),
    PARTICIPANT: frozenset({"answer"}),
}


@dataclass(frozen=True)
class Access:
    enabled: bool = False
    editors: tuple[str, ...] = ()
    viewers: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    anonymous_answers: bool = True


OPEN = Access()


def from_secrets(secrets: Mapping[str, Any]) -> Access:
    section = secrets.get("access")
    if not section:
        return OPEN

    def entries(name: str) -> tuple[str, ...]:
        value = section.get(name, ())
        return tuple(str(v).strip().lower() for v in ([value] if isinstance(value, str) else value))

    return Access(True, entries("editors"), entries("viewers"), entries("participants"),
                  bool(section.get("anonymous_answers", True)))


def _matches(email: str, entry: str) -> bool:
    return entry == "*" or entry == email or (entry.startswith("@") and email.endswith(entry))


def role_for(email: str | None, access: Access) -> str | None:
    """The role of a signed-in address; None means no access (or not signed in)."""
    if not access.enabled:
        return EDITOR
    if not email:
        return None
    email = email.strip().lower()
    for role, entries in ((EDITOR, access.editors), (VIEWER, access.viewers), (PARTICIPANT, access.participants)):
        if any(_matches(email, e) for e in entries):
            return role
    return None


def can(role: str | None, action: str) -> bool:
    return role is not None and action in PERMISSIONS[role]
