"""STORAGE_BACKEND chooses where files are kept (wkm.settings): the private folder by default,
or a private S3-compatible bucket. Settings are read once per process, so each case starts one."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

SHOW = (
    "import django; django.setup();"
    "from django.conf import settings;"
    "from django.core.files.storage import storages;"
    "s = storages['default'];"
    "print(type(s).__name__, getattr(s, 'bucket_name', ''), getattr(s, 'default_acl', ''),"
    " getattr(s, 'file_overwrite', ''), getattr(s, 'endpoint_url', ''),"
    " oct(s.file_permissions_mode) if hasattr(s, 'file_permissions_mode') else '')"
)


def storage_with(**env) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "STORAGE_"))}
    return subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "wkm.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_default_is_the_private_folder():
    result = storage_with()

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["FileSystemStorage", "0o600"]


def test_s3_is_a_private_bucket_that_never_overwrites():
    result = storage_with(
        STORAGE_BACKEND="s3",
        AWS_STORAGE_BUCKET_NAME="wkm-files",
        AWS_S3_ENDPOINT_URL="https://objects.example.org",
        AWS_ACCESS_KEY_ID="id",
        AWS_SECRET_ACCESS_KEY="secret",
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "S3Storage", "wkm-files", "private", "False", "https://objects.example.org",
    ]  # fmt: skip


def test_an_unknown_backend_stops_the_start():
    result = storage_with(STORAGE_BACKEND="ftp")

    assert result.returncode != 0
    assert "STORAGE_BACKEND must be filesystem or s3" in result.stderr
