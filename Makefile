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

.PHONY: run setup setup-test db test lint unit integration e2e e2e-redis redis bench clean check-clean

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

REDIS_SERVER ?= /usr/bin/redis-server
REDIS_PORT   ?= 6379

$(REDIS_SERVER):
	@if command -v apt-get >/dev/null; then \
	  echo "Installing Debian's redis-server for the multi-worker tests ..."; \
	  DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null; \
	fi
	@test -x $(REDIS_SERVER) || { echo "redis-server is missing (apt-get install redis-server)"; exit 1; }

# A local Redis (no persistence) for running with several workers; kept if already up.
redis: $(REDIS_SERVER)
	@redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || \
	  $(REDIS_SERVER) --port $(REDIS_PORT) --bind 127.0.0.1 --daemonize yes --save "" --appendonly no
	@for i in 1 2 3 4 5 6 7 8 9 10; do redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 && break; sleep 0.5; done
	@redis-cli -p $(REDIS_PORT) ping >/dev/null

setup: $(VENV)/.stamp-run $(BUN)

setup-test: $(VENV)/.stamp-test $(BUN) $(CHROMIUM) $(REDIS_SERVER)

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

# ruff, then mypy (configured in pyproject.toml: strict on domain/ and services/).
lint: $(VENV)/.stamp-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

unit: $(VENV)/.stamp-test
	$(PY) -m pytest tests/unit -q

# SQLite always; PostgreSQL too when TEST_DATABASE_URL is set (.ci/run sets it).
integration: $(VENV)/.stamp-test
	$(PY) -m pytest tests/integration -q

# The browser tests on the default single worker (manual payments), then the live-order
# test again on Redis with two workers (a tab's events and the live push may land on either
# worker), then card payments with the app pointed at a local fake Stripe.
e2e: setup-test
	$(PY) -m pytest e2e -q -p no:cacheprovider --ignore=e2e/test_stripe.py
	$(MAKE) --no-print-directory check-clean
	$(MAKE) --no-print-directory e2e-redis
	$(MAKE) --no-print-directory e2e-stripe

e2e-stripe: setup-test
	E2E_STRIPE=1 $(PY) -m pytest e2e/test_stripe.py -q -p no:cacheprovider

e2e-redis: setup-test redis
	E2E_REDIS_URL=redis://127.0.0.1:$(REDIS_PORT)/5 E2E_WORKERS=2 \
	  $(PY) -m pytest e2e/test_shop.py -q -p no:cacheprovider

# The build (run by the e2e app, `make run`, `reflex export`) must leave tracked files as
# committed: Reflex writes reflex.lock/ back after every build.
check-clean:
	@git diff --quiet -- reflex.lock rxconfig.py assets || { \
	  echo "The build modified tracked files:"; git diff --stat -- reflex.lock rxconfig.py assets; \
	  exit 1; }

bench: $(VENV)/.stamp-test
	@for f in bench/*.py; do [ -e "$$f" ] && $(PY) "$$f"; done; true

clean:
	rm -rf .web $(VENV) $(TOOLS) reserve_app.db*
