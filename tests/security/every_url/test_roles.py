"""Every URL outside the admin answers each kind of user as the table says (and, whatever the
table says, 404 and nothing confidential to anyone out of the case's scope)."""

import pytest

from tests.security.every_url.audit import ROLES, audit_role

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", ROLES)
def test_every_url_answers_each_user_as_the_table_says(role, world, login):
    problems = audit_role(role, world, login)

    assert not problems, f"{len(problems)} problem(s):\n" + "\n".join(problems)
