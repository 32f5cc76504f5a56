"""Links in messages and calendars follow the port of `make run` (PORT=8811 make run), unless
SITE_URL is set."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

PRINT_SITE_URL = (
    "import os; os.environ['DJANGO_SETTINGS_MODULE'] = 'wkm.settings'; "
    "from django.conf import settings; print(settings.SITE_URL)"
)


def site_url_in_a_fresh_process(**env) -> str:
    result = subprocess.run(
        [sys.executable, "-c", PRINT_SITE_URL],
        cwd=settings.BASE_DIR,
        env={"PATH": os.environ.get("PATH", ""), "SECRET_KEY": "x" * 50, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return result.stdout.strip()


def test_site_url_follows_the_port_make_run_serves_on():
    assert site_url_in_a_fresh_process(WKM_PORT="8811") == "http://127.0.0.1:8811"
    assert site_url_in_a_fresh_process() == "http://127.0.0.1:8000"


def test_a_site_url_that_is_set_wins():
    url = site_url_in_a_fresh_process(WKM_PORT="8811", SITE_URL="https://wkm.example.org")

    assert url == "https://wkm.example.org"


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_port_on_to_the_app():
    result = subprocess.run(
        ["make", "-n", "run"],
        cwd=settings.BASE_DIR,
        env={**os.environ, "PORT": "8811"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    assert "WKM_PORT=8811 " in result.stdout
