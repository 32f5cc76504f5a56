"""The table knows every URL pattern of the project: a new page cannot escape it."""

import pytest

from tests.security.every_url.audit import EXPECTED, ROLES, all_routes

pytestmark = pytest.mark.django_db


# --- The tests --------------------------------------------------------------------------------


def test_the_table_knows_every_url_pattern():
    routes = [r for r in all_routes() if not r.is_admin]
    names = [r.name for r in routes]
    unnamed = [r.route for r in routes if ":" not in r.name and r.name == r.route]
    assert not unnamed, f"give these URL patterns a name: {unnamed}"
    assert len(names) == len(set(names)), "URL pattern names must be unique"
    assert set(EXPECTED) - set(names) == set(), "EXPECTED lists patterns that no longer exist"
    assert set(names) - set(EXPECTED) == set(), (
        "new URL patterns: say in EXPECTED what each kind of user must get from them"
    )
    assert all(len(row) == 1 + len(ROLES) for row in EXPECTED.values())
