"""The OS packages: one list, os-packages.txt, that .ci/run installs and the README repeats, and
that `make run` / `make test` check first (scripts/os_packages.py), naming whatever is missing
with the command that installs it, instead of a traceback."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
SCRIPT = ROOT / "scripts" / "os_packages.py"
NOBODY_HAS = "wkm-no-such-package  test,run  bin:wkm-no-such-program  # a package nobody has"


def checker():
    spec = importlib.util.spec_from_file_location("wkm_os_packages", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def package_names() -> list[str]:
    return [package.name for package in checker().read_packages()]


def run_check(*args, **env) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if k != "WKM_SKIP_OS_CHECK"}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        env={**environment, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def a_list(tmp_path, *lines):
    path = tmp_path / "os-packages.txt"
    path.write_text("# a list for the test\n" + "\n".join(lines) + "\n")
    return path


def test_it_names_a_missing_package_and_the_command_that_installs_it(tmp_path):
    listed = a_list(tmp_path, "qpdf  test  bin:qpdf  # PDF checks", NOBODY_HAS)

    result = run_check("check", "test", "--list", str(listed))

    assert result.returncode == 1
    assert "wkm-no-such-package" in result.stderr and "a package nobody has" in result.stderr
    assert "Traceback" not in result.stderr
    if shutil.which("dpkg-query"):
        command = re.search(r"^ +(.*apt-get install .*)$", result.stderr, re.MULTILINE).group(1)
        assert command.endswith("apt-get install wkm-no-such-package")  # qpdf is installed


def test_make_run_asks_only_for_what_the_app_needs(tmp_path):
    listed = a_list(tmp_path, "wkm-no-such-package  test  bin:wkm-no-such-program  # for tests")

    assert run_check("check", "run", "--list", str(listed)).returncode == 0
    assert run_check("check", "test", "--list", str(listed)).returncode == 1


def test_it_can_be_skipped_for_packages_installed_another_way(tmp_path):
    listed = a_list(tmp_path, NOBODY_HAS)

    assert run_check("check", "test", "--list", str(listed), WKM_SKIP_OS_CHECK="1").returncode == 0


def test_without_dpkg_it_looks_for_the_library_program_or_characters(tmp_path, capsys):
    listed = a_list(
        tmp_path,
        "libpango-1.0-0  run  lib:pango-1.0  # WeasyPrint",
        "fonts-dejavu-core  run  chars:0645  # PDFs: Arabic",
        NOBODY_HAS,
    )

    assert checker().check("run", path=listed, use_dpkg=False) == 1

    report = capsys.readouterr().err
    missing = report.split("not installed:")[1].split("\n\n")[1]
    assert "wkm-no-such-package" in missing
    assert "libpango" not in missing and "dejavu" not in missing
    assert "bin:wkm-no-such-program" in report


def test_this_machine_has_what_make_test_needs():
    """On CI .ci/run installs them first; elsewhere `make test` would have stopped already."""
    result = run_check("check", "test")

    assert result.returncode == 0, result.stderr


def test_ci_installs_exactly_the_list():
    ci = (ROOT / ".ci" / "run").read_text()
    reading = next(line for line in ci.splitlines() if line.startswith("mapfile -t apt_packages"))

    listed = subprocess.run(
        ["bash", "-c", f'{reading}\nprintf "%s\\n" "${{apt_packages[@]}}"'],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()

    assert listed == package_names()
    assert not [name for name in package_names() if name in ci.replace(reading, "")]


def test_the_readme_gives_the_same_list():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("### OS packages", 1)[1].split("\n#", 1)[0]
    command = re.search(r"sudo apt-get install (.+)", section).group(1)

    assert command.split() == package_names()
    assert "os-packages.txt" in section


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize("target", ["run", "test"])
def test_make_checks_the_packages_first(target):
    planned = subprocess.run(
        ["make", "-n", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout

    check = planned.index(f"scripts/os_packages.py check {target}")
    assert check < planned.index("pytest" if target == "test" else "run_app.py")
