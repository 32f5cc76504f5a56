"""The order of layers (pyproject.toml, [tool.importlinter]; README, "Architecture in a few
lines"): `make lint` runs the contract, and these tests run it in `make test`, so CI refuses an
app that imports one above it."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
    )


def _packages() -> list[str]:
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    return config["tool"]["importlinter"]["root_packages"]


def test_the_apps_keep_to_their_layers():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture
def copy_of_the_tree(tmp_path):
    """The apps' Python files and the contract, copied to be broken on purpose."""
    for package in _packages():
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.html", "*.txt", "*.json"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_an_import_from_a_layer_above_breaks_the_contract(copy_of_the_tree):
    """The audit trail is the lowest layer: it may not know about reports."""
    models = copy_of_the_tree / "audit" / "models.py"
    models.write_text(models.read_text() + "\nfrom reports import queries  # noqa\n")

    result = _lint(copy_of_the_tree)

    assert result.returncode == 1
    assert "audit is not allowed to import reports" in result.stdout
    assert "audit.models -> reports.queries" in result.stdout


def test_an_import_hidden_in_a_function_is_found_too(copy_of_the_tree):
    services = copy_of_the_tree / "parties" / "models.py"
    services.write_text(
        services.read_text() + "\n\ndef _later():\n    from imports import runner  # noqa\n"
    )

    result = _lint(copy_of_the_tree)

    assert result.returncode == 1
    assert "parties.models -> imports.runner" in result.stdout
