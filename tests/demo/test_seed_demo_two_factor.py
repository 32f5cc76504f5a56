"""The demo logins still work with two-factor authentication: the roles that need it get backup
codes, and ``seed_demo`` prints one each, once, beside the password."""

import re

import pytest
from django.core.management import call_command
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken

pytestmark = pytest.mark.django_db


def test_it_prints_one_backup_code_for_each_user_who_needs_two_factor_once(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")

    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    second = capsys.readouterr().out

    codes = dict(
        re.findall(r"(coordinator|supervisor|admin|mediator|trainee) ([a-z2-7]{8})", first)
    )
    assert set(codes) == {"coordinator", "supervisor", "admin"}
    for username, code in codes.items():
        assert StaticToken.objects.filter(device__user__username=username, token=code).exists()
        assert StaticToken.objects.filter(device__user__username=username).count() == 10
    assert "backup codes" not in second
    assert not StaticToken.objects.filter(device__user__username__in=["mediator", "trainee"])


def test_the_demo_coordinator_logs_in_with_the_password_and_the_printed_code(monkeypatch, capsys):
    monkeypatch.setenv("DEMO_PASSWORD", "demo-pass-for-tests")
    call_command("seed_demo")
    code = re.search(r"coordinator ([a-z2-7]{8})", capsys.readouterr().out).group(1)
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
