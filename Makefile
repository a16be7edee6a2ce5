# Candour: the two commands in the README are `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test install lint postgres clean

## Install everything, load the bundled NHS data into SQLite, create demo users and serve.
demo: install
	CANDOUR_DATABASE_URL= scripts/demo.sh

## Install everything, make sure PostgreSQL runs, then lint and run the whole suite on
## SQLite and PostgreSQL, and the browser tests.
test: install
	scripts/test.sh

install: $(VENV)/.installed node_modules/.installed src/candour/web/static/nhsuk/nhsuk-frontend.min.css

$(VENV)/.installed: requirements.lock pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes --no-deps -r requirements.lock
	$(BIN)/pip check
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

src/candour/web/static/nhsuk/nhsuk-frontend.min.css: node_modules/.installed scripts/build-static.mjs
	npm run --silent build

## Regenerate the Python lock file after changing dependencies in pyproject.toml.
lock:
	$(BIN)/pip install --quiet uv && $(BIN)/uv pip compile pyproject.toml --extra dev --extra bench --extra spark \
		--python-version 3.11 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules src/candour/web/static/nhsuk var
