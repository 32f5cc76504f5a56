"""The demo logins still work with two-factor authentication: the roles that need it get backup
codes, and ``seed_demo`` prints all ten of each, once, beside the password."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

pytestmark = pytest.mark.django_db


def printed_codes(output: str) -> dict[str, list[str]]:
    """{username: codes} from seed_demo's lines "  coordinator  abcd2efg hijk3lmn …"."""
    return {
        match.group(1): match.group(2).split()
        for match in re.finditer(
            r"^ +(coordinator|supervisor|admin|mediator|trainee) +((?:[a-z2-7]{8} ?)+)$",
            output,
            re.MULTILINE,
        )
    }


def test_it_prints_all_ten_backup_codes_of_each_user_who_needs_two_factor_once(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")

    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    codes = printed_codes(first)
    assert set(codes) == {"coordinator", "supervisor", "admin"}
    for username, theirs in codes.items():
        assert len(set(theirs)) == 10
        tokens = StaticToken.objects.filter(device__user__username=username)
        assert set(tokens.values_list("token", flat=True)) == set(theirs)
    assert "backup codes" not in second
    assert not StaticToken.objects.filter(device__user__username__in=["mediator", "trainee"])


def test_the_demo_coordinator_logs_in_with_the_password_and_the_printed_code(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")
    code = printed_codes(capsys.readouterr().out)["coordinator"][-1]  # the last works as well
    client = Client()

    client.post("/accounts/login/", {"username": "coordinator", "password": "demo-pass-for-tests"})
    assert client.get("/")["Location"].startswith("/accounts/2fa/")
    response = client.post("/accounts/2fa/verify/", {"code": code, "next": "/"})

    assert response["Location"] == "/"
    assert "Coordinator home" in client.get("/").content.decode()


def test_the_demo_mediator_needs_no_code(monkeypatch):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")
    client = Client()

    client.post("/accounts/login/", {"username": "mediator", "password": "demo-pass-for-tests"})
    response = client.get("/")

    assert response.status_code == 200
    assert "My mediation work" in response.content.decode()
