# Two commands do all the set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

NPM_STAMP := tools/npm/node_modules/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install npm run test test-fast lint format bench bench-quick clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,demo]"
	touch $(STAMP)

## Salesforce's CLIs (sfcc-ci, dwdav), pinned in tools/npm, for the interop tests; Node from Debian.
npm: $(NPM_STAMP)

$(NPM_STAMP): tools/npm/package.json tools/npm/package-lock.json
	@command -v npm >/dev/null 2>&1 || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq nodejs npm >/dev/null; }
	cd tools/npm && npm ci --no-audit --no-fund --loglevel=error
	touch $@

## Everything on embedded defaults: console at http://127.0.0.1:8000 (Ctrl-C stops it all).
run: install
	$(PY) manage.py runstack

## The whole suite (unit, integration with a real worker and beat, browser).
test: install npm
	$(PY) -m pytest

## Without the slow integration and browser tests.
test-fast: install
	$(PY) -m pytest -m "not integration and not browser"

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: install
	$(PY) manage.py bench

bench-quick: install
	$(PY) manage.py bench --quick

clean:
	rm -rf var/test.sqlite3* var/storage-test
