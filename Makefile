# The two commands: `make run` starts the portal, `make test` runs every test.
# Both create the environment on first use (uv, from the committed uv.lock).

PYTHON ?= python3
UV := .tools/bin/uv
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000
PYTEST_ARGS ?=
# e.g. RUN_ARGS="-v 2": workers' output on the console instead of var/logs/
RUN_ARGS ?=

export PORTAL_DEBUG ?= true
# llama.cpp compiles from source once; use both cores, and pip/uv cache the built wheel.
export CMAKE_BUILD_PARALLEL_LEVEL ?= 2

.PHONY: run totp test lint format messages clean-var bench

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check uv

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	touch $@

# The demo company's domain may sign up (mails go to the console in debug mode); links in
# mails and calendar feeds point at the address the server listens on.
run: $(VENV)/.synced
	PORTAL_SIGNUP_DOMAINS=$${PORTAL_SIGNUP_DOMAINS-hallberg.example} \
	PORTAL_SITE_URL=$${PORTAL_SITE_URL-http://$(ADDR)} \
	$(PY) manage.py runstack --addr $(ADDR) $(RUN_ARGS)

# The current two-factor code of a demo login, with the environment `make run` uses.
WHO ?= ada
totp: $(VENV)/.synced
	@$(PY) manage.py demo_totp $(WHO)

# axe-core for the browser tests, from the npm registry with a pinned checksum (once).
AXE := .tools/axe-core/.fetched
$(AXE): tests/e2e/fetch_axe.py | $(UV)
	$(PYTHON) tests/e2e/fetch_axe.py
	touch $@

# Two pytest workers (pytest-xdist): tests that start processes run one after another on
# one of them (tests/conftest.py), the rest on both. TEST_WORKERS=0 runs everything in one.
TEST_WORKERS ?= 2
test: $(VENV)/.synced $(AXE)
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.synced
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Extract and compile translations (needs GNU gettext's xgettext for extraction only).
messages: $(VENV)/.synced
	$(PY) manage.py makemessages -l de -l en --no-obsolete --ignore=.venv --ignore=.tools --ignore=var --ignore=tests --ignore=bench --ignore=static
	$(PY) -m portal.i18n_compile locale

# Each bench as a module from the project root (`python -m bench.<name>`), so that no
# bench/*.py stands in for an app of the same name. BENCH_SMOKE=1: small sizes, as in `make test`.
bench: $(VENV)/.synced
	@for b in bench/[!_]*.py; do [ -e "$$b" ] || continue; n=$$(basename "$$b" .py); \
	echo "== bench.$$n"; $(PY) -m "bench.$$n" || exit 1; done

clean-var:
	rm -rf var
