"""Every email and text message goes through the outbox: nothing outside ``notifications/``
may send one itself.

The project's own modules are read with ``ast`` (not imported, so a module nothing imports is
checked too) and each import is compared with what sends: Django's mail API, ``smtplib``, and
the outbox's own sending modules (``notifications.dispatch``, ``notifications.sms``), which only
``notifications`` uses. Writing a message is ``notifications.outbox``'s job, in the caller's
transaction; the dispatcher sends it, with retries, exactly once.
"""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import NoReverseMatch, reverse

ROOT = Path(settings.BASE_DIR)
# Not the project's code, or the one package allowed to send.
SKIPPED_DIRS = {".venv", "venv", "node_modules", "var", "tests", "migrations", ".git"}
OWNER = "notifications"

# Modules that send, and every name under them.
SENDING_MODULES = (
    "django.core.mail",
    "smtplib",
    f"{OWNER}.dispatch",
    f"{OWNER}.sms",
)
# ``from <package> import <name>`` that reaches one of them.
SENDING_MEMBERS = {("django.core", "mail"), (OWNER, "dispatch"), (OWNER, "sms")}


def _sends(module: str) -> bool:
    return any(module == m or module.startswith(f"{m}.") for m in SENDING_MODULES)


def sending_imports(source: str, filename: str = "<source>") -> list[str]:
    """The imports in ``source`` that could send mail or texts, as "line: what"."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _sends(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                if _sends(node.module) or (node.module, alias.name) in SENDING_MEMBERS:
                    found.append(f"{node.lineno}: from {node.module} import {alias.name}")
    return found


def project_modules():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if SKIPPED_DIRS.intersection(parts) or parts[0] == OWNER:
            continue
        yield path


def test_it_reads_the_whole_project():
    checked = {p.relative_to(ROOT).parts[0] for p in project_modules()}

    assert {"cases", "volunteers", "public", "accounts", "sessions", "wkm"} <= checked
    assert OWNER not in checked


def test_no_module_outside_notifications_sends_mail_or_texts():
    offenders = [
        f"{path.relative_to(ROOT)}:{hit}"
        for path in project_modules()
        for hit in sending_imports(path.read_text(encoding="utf-8"), str(path))
    ]

    assert offenders == [], (
        "Only notifications/ sends mail or text messages: write an OutboxMessage "
        "(notifications.outbox) in the caller's transaction instead.\n" + "\n".join(offenders)
    )


@pytest.mark.parametrize(
    "line",
    [
        "from django.core.mail import send_mail",
        "from django.core.mail import EmailMessage, mail_admins",
        "from django.core.mail import EmailMultiAlternatives as Email",
        "from django.core.mail import get_connection",
        "from django.core import mail",
        "import django.core.mail",
        "import django.core.mail.backends.smtp",
        "import smtplib",
        "from smtplib import SMTP",
        "from notifications.sms import get_backend",
        "from notifications.dispatch import dispatch_due",
        "from notifications import dispatch",
        "from notifications import outbox, sms",
        "import notifications.dispatch",
        "def f():\n    from django.core.mail import send_mail",
    ],
)
def test_the_check_finds_each_way_of_sending(line):
    assert sending_imports(line)


@pytest.mark.parametrize(
    "line",
    [
        "from notifications.outbox import queue_assignment_notices",
        "from notifications.models import OutboxMessage",
        "from django.core import signing",
        "import email.utils",
        "from . import dispatch",  # inside notifications only: relative imports are local
    ],
)
def test_the_check_leaves_writing_to_the_outbox_alone(line):
    assert sending_imports(line) == []


def test_no_framework_path_sends_mail():
    """Django and its add-ons send mail of their own on a few paths; none is switched on.
    Errors are not mailed to ADMINS or broken links to MANAGERS (the log has them), there is
    no password-reset page (an administrator resets passwords; the site's own or the admin's),
    and two-factor authentication uses authenticator apps and backup codes, not emailed
    codes."""
    assert settings.ADMINS == [] and settings.MANAGERS == []
    assert "django.middleware.common.BrokenLinkEmailsMiddleware" not in settings.MIDDLEWARE
    assert not [app for app in settings.INSTALLED_APPS if "otp_email" in app]
    for name in ("password_reset", "admin_password_reset", "admin:password_reset"):
        with pytest.raises(NoReverseMatch):
            reverse(name)
