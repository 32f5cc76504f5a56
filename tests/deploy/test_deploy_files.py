"""The server install (deploy/): its systemd units run what the Procfile runs, its environment
file holds every production setting, its scripts parse. The install itself is proven on a
Debian 12 machine by deploy/test-install (make deploy-test), too slow for make test."""

import configparser
import re
import shlex
import shutil
import subprocess

import pytest
from django.conf import settings

ROOT = settings.BASE_DIR
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
SCRIPTS = ["install", "upgrade", "backup", "restore", "test-install", "lib.sh"]
SERVICES = {"web": "wkm-web.service", "worker": "wkm-worker.service", "beat": "wkm-beat.service"}
VENV_PYTHON = "/opt/wkm/current/.venv/bin/python"

# Options only `make run` has (reloading on code changes) and only the server has (the working
# directory as the `current` symlink, so a graceful reload imports the new release).
DEV_ONLY = {"--reload": 0, "--reload-extra-file": 1}
SERVER_ONLY = {"--chdir": 1}
# Given a different value on purpose: a reload lets requests under way on the server (uploads
# over a slow line) 30 s to finish; `make run` restarts at once.
DIFFERENT_VALUES = {"--graceful-timeout"}


def unit(name: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(UNITS / name)
    return parser


def procfile() -> dict[str, list[str]]:
    processes = {}
    for line in (ROOT / "Procfile").read_text().splitlines():
        if line.strip():
            name, _, command = line.partition(":")
            processes[name] = shlex.split(command)
    return processes


def options(argv: list[str], drop: dict[str, int]) -> list[str]:
    """The arguments without the options in ``drop`` (each with its number of values), with
    ``${VAR:-default}`` written as systemd's ``${VAR}`` (the default is in the env file)."""
    kept, skip = [], 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        if arg in drop:
            skip = drop[arg]
            continue
        kept.append(re.sub(r"\$\{(\w+):-[^}]*\}", r"${\1}", arg))
    return kept


def value_of(argv: list[str], option: str) -> str | None:
    return argv[argv.index(option) + 1] if option in argv else None


@pytest.mark.parametrize("process", sorted(SERVICES))
def test_each_service_runs_the_procfile_process(process):
    """The server runs what `make run` runs, with the release's Python, so that a change to the
    Procfile (a queue, a scheduler) is not forgotten on the server."""
    service = unit(SERVICES[process])["Service"]
    exec_start = shlex.split(service["ExecStart"])
    assert exec_start[:2] == [VENV_PYTHON, "-m"], "through the current symlink's Python"
    served = options(exec_start[2:], SERVER_ONLY)
    wanted = options(procfile()[process], DEV_ONLY)
    for option in DIFFERENT_VALUES:
        if option in wanted:
            assert option in served
            served[served.index(option) + 1] = wanted[wanted.index(option) + 1]
    assert served == wanted


def test_web_chdir_is_the_current_symlink_and_reload_is_a_hangup():
    service = unit("wkm-web.service")["Service"]
    exec_start = shlex.split(service["ExecStart"])
    assert value_of(exec_start, "--chdir") == "/opt/wkm/current"
    assert service["ExecReload"] == "/bin/kill -HUP $MAINPID"


def test_the_env_file_sets_every_gunicorn_variable_the_unit_uses():
    used = set(re.findall(r"\$\{(\w+)\}", unit("wkm-web.service")["Service"]["ExecStart"]))
    assert used == {"WKM_PORT", "WEB_CONCURRENCY", "WEB_THREADS"}
    assert used <= env_template_variables()


@pytest.mark.parametrize("name", sorted(SERVICES.values()))
def test_services_restart_and_are_confined(name):
    service = unit(name)["Service"]
    assert service["User"] == "wkm"
    assert service["EnvironmentFile"] == "/etc/wkm/wkm.env"
    assert service["Restart"] == "on-failure"
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateDevices"):
        assert service[key] == "true", key
    assert service["ProtectSystem"] == "strict"
    assert service["ReadWritePaths"] == "/var/lib/wkm", "the media directory's parent only"


def env_template_variables() -> set[str]:
    """The variables deploy/install writes into /etc/wkm/wkm.env (its here-document), set or
    left commented out for the administrator to fill in (the S3 bucket's, only with
    STORAGE_BACKEND=s3)."""
    text = (DEPLOY / "install").read_text()
    template = text.split('put_file "$ENV_FILE" 640')[1].split("\nEOF\n")[0]
    return set(re.findall(r"^#?([A-Z_0-9]+)=", template, flags=re.MULTILINE))


def readme_production_variables() -> set[str]:
    """The variables of the README's "Production settings" example."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Production settings", 1)[1]
    block = section.split("```sh", 1)[1].split("```", 1)[0]
    return set(re.findall(r"(?:^|\s)([A-Z_]+)=", block))


def test_the_env_file_has_every_production_setting_of_the_readme():
    variables = readme_production_variables()
    assert {"SECRET_KEY", "DATABASE_OWNER_URL", "BEHIND_TLS_PROXY"} <= variables
    assert variables <= env_template_variables()


def test_the_env_file_has_every_setting_without_a_default():
    source = (ROOT / "wkm" / "settings.py").read_text()
    required = set(re.findall(r"""env(?:\.\w+)?\(\s*"(\w+)"\s*\)""", source))
    assert "SECRET_KEY" in required
    assert required <= env_template_variables()


def test_retention_runs_once_from_beat_and_no_timer_doubles_it():
    assert settings.CELERY_BEAT_SCHEDULE["apply-retention"]["task"] == (
        "privacy.tasks.apply_retention"
    )
    for path in UNITS.glob("*.service"):
        assert "apply_retention" not in unit(path.name)["Service"]["ExecStart"], path.name


def test_beat_uses_the_scheduler_of_the_settings():
    exec_start = shlex.split(unit("wkm-beat.service")["Service"]["ExecStart"])
    assert value_of(exec_start, "--scheduler") == settings.CELERY_BEAT_SCHEDULER


def test_every_oneshot_unit_has_a_daily_timer():
    for service in UNITS.glob("*.service"):
        if unit(service.name)["Service"].get("Type") == "oneshot":
            timer = unit(service.with_suffix(".timer").name)["Timer"]
            assert re.fullmatch(r"\*-\*-\* \d\d:\d\d:\d\d", timer["OnCalendar"]), service.name


def test_the_install_takes_the_runtime_os_packages_from_os_packages_txt():
    listed = subprocess.run(
        ["bash", "-c", '. deploy/lib.sh && os_packages_run "$PWD"'],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    text = (ROOT / "os-packages.txt").read_text()
    wanted = [
        line.split()[0]
        for line in text.splitlines()
        if line.strip() and not line.startswith("#") and "run" in line.split()[1].split(",")
    ]
    assert listed == wanted
    assert "libmagic1" in listed
    assert "chromium" not in listed


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_parse(script):
    subprocess.run(["bash", "-n", str(DEPLOY / script)], check=True)


@pytest.mark.skipif(not shutil.which("shellcheck"), reason="shellcheck not installed")
def test_scripts_pass_shellcheck():
    result = subprocess.run(
        ["shellcheck", "-x", *SCRIPTS], cwd=DEPLOY, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout
