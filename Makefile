# reserve_app — `make run` to start, `make test` for every test layer.
SHELL := /bin/bash
.DEFAULT_GOAL := run

VENV      := .venv
PY        := $(VENV)/bin/python
TOOLS     := .tools
BUN       := $(TOOLS)/node_modules/.bin/bun
BUN_VERSION := 1.4.5
CHROMIUM  ?= /usr/bin/chromium
PORT      ?= 3000

export PATH := $(CURDIR)/$(TOOLS)/node_modules/.bin:$(CURDIR)/$(VENV)/bin:$(PATH)
export REFLEX_TELEMETRY_ENABLED := false
export REFLEX_CHECK_LATEST_VERSION := false
export NPM_CONFIG_REGISTRY ?= $(shell npm config get registry 2>/dev/null)
export PYTHONUNBUFFERED := 1

.PHONY: run setup setup-test db test lint unit integration e2e bench clean

# --- installation (each step is skipped when already done) -------------------------------
$(VENV)/.stamp-run: pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.stamp-test: $(VENV)/.stamp-run pyproject.toml
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

$(BUN):
	@command -v npm >/dev/null || { echo "npm is required to install bun (Node 20+)"; exit 1; }
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) bun@$(BUN_VERSION)
	$(BUN) --version

$(CHROMIUM):
	@if command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi
	@test -x $(CHROMIUM) || { echo "Chromium is missing at $(CHROMIUM) and could not be installed. Install Debian's 'chromium' package (as root: apt-get install chromium) or set CHROMIUM=/path/to/chromium."; exit 1; }

setup: $(VENV)/.stamp-run $(BUN)

setup-test: $(VENV)/.stamp-test $(BUN) $(CHROMIUM)

db: setup
	$(PY) -m reserve_app.cli setup

# --- running -----------------------------------------------------------------------------
run: db
	@$(PY) -m reserve_app.cli banner
	$(VENV)/bin/reflex run --env prod --frontend-port $(PORT) --backend-port $(PORT)

# --- tests -------------------------------------------------------------------------------
test: setup-test
	$(MAKE) --no-print-directory lint
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory integration
	$(MAKE) --no-print-directory e2e

lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .

unit: $(VENV)/.stamp-test
	$(PY) -m pytest tests/unit -q

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (.ci/run sets it).
integration: $(VENV)/.stamp-test
	$(PY) -m pytest tests/integration -q

e2e: setup-test
	$(PY) -m pytest e2e -q -p no:cacheprovider

bench: $(VENV)/.stamp-test
	@for f in bench/*.py; do [ -e "$$f" ] && $(PY) "$$f"; done; true

clean:
	rm -rf .web $(VENV) $(TOOLS) reserve_app.db*
