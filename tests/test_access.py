from alignment import access
from alignment.access import EDITOR, PARTICIPANT, VIEWER

SECRETS = {"access": {"editors": ["CFO@example.com"], "viewers": ["@example.com"], "participants": "*"}}


def test_without_an_access_section_everyone_edits():
    assert access.from_secrets({}) == access.OPEN
    assert access.role_for(None, access.OPEN) == EDITOR


def test_roles_come_from_the_first_matching_list():
    rules = access.from_secrets(SECRETS)
    assert rules.enabled and rules.anonymous_answers
    assert access.role_for("cfo@EXAMPLE.com", rules) == EDITOR
    assert access.role_for("analyst@example.com", rules) == VIEWER
    assert access.role_for("guest@partner.org", rules) == PARTICIPANT
    assert access.role_for("someone@notexample.com", rules) == PARTICIPANT  # "*", not the domain rule
    assert access.role_for(None, rules) is None


def test_an_unlisted_address_has_no_access_and_domains_match_whole_domains():
    rules = access.from_secrets({"access": {"viewers": ["@example.com"], "anonymous_answers": False}})
    assert access.role_for("eve@badexample.com", rules) is None
    assert access.role_for("eve@example.com", rules) == VIEWER
    assert not rules.anonymous_answers


def test_what_each_role_may_do():
    assert access.can(EDITOR, "edit") and access.can(EDITOR, "facilitate")
    assert access.can(VIEWER, "read") and not access.can(VIEWER, "edit") and not access.can(VIEWER, "facilitate")
    assert access.can(PARTICIPANT, "answer") and not access.can(PARTICIPANT, "read")
    assert not access.can(None, "answer")
