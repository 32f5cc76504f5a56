"""`scale` (manage.py seed_scale) is a development and benchmark app: installed with DEBUG on or
when DEV_APPS asks for it, never in the production configuration (tests/security's, run as
production would: a fresh process, only those environment variables)."""

import os
import subprocess
import sys

from django.conf import settings

from tests.security.test_check_deploy import PRODUCTION_ENV

SHOW = (
    "import django; django.setup();"
    "from django.conf import settings;"
    "from django.core.management import get_commands;"
    "print('scale' in settings.INSTALLED_APPS, 'seed_scale' in get_commands())"
)


def installed_with(**env) -> tuple[str, str]:
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "wkm.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    app, command = result.stdout.split()
    return app, command


def test_production_has_neither_the_app_nor_its_command():
    assert installed_with(**PRODUCTION_ENV) == ("False", "False")


def test_development_has_them():
    assert installed_with(**{**PRODUCTION_ENV, "DEBUG": "true"}) == ("True", "True")


def test_dev_apps_installs_them_with_debug_off():
    """As the cluster test seeds a production-like install."""
    assert installed_with(**PRODUCTION_ENV, DEV_APPS="true") == ("True", "True")


def test_dev_apps_off_leaves_them_out_even_with_debug_on():
    assert installed_with(**{**PRODUCTION_ENV, "DEBUG": "true", "DEV_APPS": "false"}) == (
        "False",
        "False",
    )
