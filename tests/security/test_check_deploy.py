"""``manage.py check --deploy`` passes with no warning at all in the production configuration
the README gives ("Production settings"), run as production would: a fresh process, only those
environment variables, DEBUG off."""

import os
import secrets
import subprocess
import sys

from django.conf import settings

PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(64),  # 86 random characters
    "ALLOWED_HOSTS": "wkm.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://wkm.example.org",
    "BEHIND_TLS_PROXY": "true",
    # Never connected to by the checks: the addresses only need to be well formed.
    "DATABASE_URL": "postgres://wkm:not-a-real-password@db.invalid:5432/wkm",
    "DATABASE_OWNER_URL": "postgres://wkm_owner:not-a-real-password@db.invalid:5432/wkm",
    "REDIS_URL": "redis://redis.invalid:6379/0",
}


def check_deploy(env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_check_deploy_passes_with_no_warning_in_production():
    result = check_deploy(PRODUCTION_ENV)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_check_deploy_passes_with_only_the_three_variables_the_issue_names():
    env = {k: PRODUCTION_ENV[k] for k in ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS")}

    result = check_deploy(env)

    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_on_a_short_secret_key():
    """The test would be worthless if the check could not fail."""
    result = check_deploy({**PRODUCTION_ENV, "SECRET_KEY": "too-short"})

    assert result.returncode != 0
    assert "security.W009" in result.stdout + result.stderr


def test_check_warns_when_the_app_connects_as_the_owner_of_its_tables():
    """With only DATABASE_URL the app can empty or switch off the audit trail: say so."""
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DATABASE_OWNER_URL"}

    result = check_deploy(env)

    assert result.returncode != 0
    assert "audit.W001" in result.stdout + result.stderr
