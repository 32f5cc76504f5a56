# The two commands: `make run` and `make test`. Both set everything up on a fresh machine.
# With DATABASE_URL / REDIS_URL unset they start the bundled PostgreSQL and Redis under var/.

PYTHON ?= python3
PORT ?= 8000
VENV := .venv
PY := $(VENV)/bin/python
BUNDLED := $(PY) scripts/bundled.py

.PHONY: run test lint fmt services stop-services status clean-var venv bench bench-intake bench-import

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: os-packages-run $(VENV)/.installed
	WKM_PORT=$(PORT) $(BUNDLED) exec -- $(PY) scripts/run_app.py

test: os-packages-test $(VENV)/.installed
	$(BUNDLED) exec -- $(PY) -m pytest $(PYTEST_ARGS)

# The OS packages of os-packages.txt, checked first (with the system's python3, before the venv's
# long install): a missing one is named with the command that installs it, and make stops.
.PHONY: os-packages-run os-packages-test
os-packages-run os-packages-test: os-packages-%:
	@$(PYTHON) scripts/os_packages.py check $*

lint: $(VENV)/.installed
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

fmt: $(VENV)/.installed
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

services: $(VENV)/.installed
	$(BUNDLED) start

stop-services: $(VENV)/.installed
	$(BUNDLED) stop

status: $(VENV)/.installed
	$(BUNDLED) status

# Benchmarks against a database seeded with `manage.py seed_scale` (see README, Performance):
#   DATABASE_URL=postgres://…/wkm_scale make bench BENCH_ARGS="--requests 200"
bench: $(VENV)/.installed
	$(BUNDLED) exec -- $(PY) tests/perf/bench.py $(BENCH_ARGS)

# The intake journey in Chromium (README, Performance): actions and time per step.
bench-intake: $(VENV)/.installed
	$(BUNDLED) exec -- $(PY) tests/perf/intake.py $(INTAKE_ARGS)

# The import benchmarks (README, Performance): a 2,000-row volunteers sheet and a 5,000-row
# open-cases sheet, each checked and imported as the worker does. They keep what they import, so
# they need a database of their own:  DATABASE_URL=postgres://…/wkm_import_bench make bench-import
bench-import: $(VENV)/.installed
	@test -n "$(DATABASE_URL)" || { echo "Set DATABASE_URL to a database of its own: the benchmarks keep what they import."; exit 2; }
	$(BUNDLED) exec -- $(PY) manage.py migrate --verbosity 0
	$(BUNDLED) exec -- $(PY) tests/perf/import_volunteers.py $(VOLUNTEERS_ARGS)
	$(BUNDLED) exec -- $(PY) tests/perf/import_cases.py --through-runner $(CASES_ARGS)

# The load test (README, Performance): 50 users across the three roles for 60 s, with locust,
# which requirements-bench.txt adds:  DATABASE_URL=postgres://…/wkm_scale make load
$(VENV)/.bench-installed: requirements-bench.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-bench.txt
	touch $@

.PHONY: load
load: $(VENV)/.bench-installed
	$(BUNDLED) exec -- $(PY) tests/perf/load.py $(LOAD_ARGS)

# Several servers (README, "Running on several servers"): as root, test hosts in network
# namespaces (proxy, web1, web2, worker1, worker2, beat and a standby, PostgreSQL, Redis), the
# load through the proxy, one web node and one worker killed mid-run. Not part of `make test`.
#   sudo make cluster-test [CLUSTER_ARGS="--cases 10000 --users 50 --seconds 60"]
.PHONY: cluster-test
cluster-test: $(VENV)/.bench-installed
	@command -v caddy >/dev/null || { echo "Caddy is needed: apt-get install caddy"; exit 2; }
	$(PY) tests/cluster/run.py $(CLUSTER_ARGS)

# Known advisories against the pinned versions (README, Security: "Dependency advisories").
# Where the network allows, pip-audit asks PyPI's advisory data about every pinned version and
# their dependencies (--strict: a package it cannot look up fails the check, not skipped).
# Offline, the pins and everything installed here against the snapshot in security/advisories/;
# a refresh takes a new snapshot where the network allows.
$(VENV)/.audit-installed: requirements-audit.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-audit.txt
	touch $@

.PHONY: audit-deps audit-deps-offline audit-deps-refresh
audit-deps: $(VENV)/.audit-installed
	$(VENV)/bin/pip-audit --strict --requirement requirements.txt

audit-deps-offline: $(VENV)/.installed
	$(PY) scripts/audit_deps.py check --installed

audit-deps-refresh: $(VENV)/.installed
	$(PY) scripts/audit_deps.py refresh --installed

# Backups (README, Data protection): a pg_dump of the database into var/backups/, and a restore
# of one (asks first; YES=1 to skip asking):  make backup;  make restore FILE=var/backups/x.dump
.PHONY: backup restore
backup: $(VENV)/.installed
	$(BUNDLED) exec -- $(PY) scripts/backup.py backup

restore: $(VENV)/.installed
	$(if $(FILE),,$(error give the backup to restore: make restore FILE=var/backups/wkm-….dump))
	$(BUNDLED) exec -- $(PY) scripts/backup.py restore "$(FILE)" $(if $(filter 1 yes true,$(YES)),--yes)

# The /health/ burst of issue 17 (README, Health) against a running `make run` on PORT:
#   make health-burst BURST_ARGS="--token … --database-url postgres://…/wkm"
.PHONY: health-burst
health-burst: $(VENV)/.installed
	PORT=$(PORT) $(PY) tests/perf/health_burst.py $(BURST_ARGS)

# The server install (deploy/, README: "Running it on a server") proven on a clean Debian 12:
# a debootstrap'd bookworm booted under systemd-nspawn, installed twice (the second run must
# change nothing), served through Caddy, upgraded under a request loop, a failing migration
# rolled back. As root; not part of make test. Caches under var/deploy-test/.
.PHONY: deploy-test
deploy-test:
	deploy/test-install
