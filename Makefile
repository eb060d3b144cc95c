# The tasks a developer runs, exactly as CI runs them (.ci/run calls these targets after it has
# installed a fresh virtual environment). `make help` lists them.
PY ?= .venv/bin/python
BIN := $(dir $(PY))
PG_URL ?= postgres://postgres@127.0.0.1:5432/ketacare_make_$(shell echo $$PPID)

.PHONY: help install lint format typecheck migrations-check test test-pg checks ci demo graph

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

install:  ## a virtual environment with the project and its development tools
	python3.11 -m venv .venv
	$(BIN)pip install --quiet --upgrade pip
	$(BIN)pip install --quiet -e '.[dev]'

lint:  ## ruff check and ruff format --check
	$(BIN)ruff check .
	$(BIN)ruff format --check .

format:  ## ruff format and the safe ruff fixes
	$(BIN)ruff check --fix .
	$(BIN)ruff format .

typecheck:  ## mypy (strict on src/ketacare/core, django-stubs on the web layer)
	$(BIN)mypy

migrations-check:  ## no model change without its migration
	KETACARE_DEBUG=1 KETACARE_DATA_DIR=$$(mktemp -d) $(PY) manage.py makemigrations --check --dry-run

checks: lint typecheck migrations-check  ## every static check

test:  ## the whole test suite on SQLite (the README's test command)
	$(BIN)pytest

test-pg:  ## the web and browser tests again on PostgreSQL (127.0.0.1:5432, user postgres)
	DATABASE_URL=$(PG_URL) $(BIN)pytest tests/web $(wildcard tests/browser)

ci: checks test test-pg  ## what .ci/run runs after installing

demo:  ## the demo clinic on http://127.0.0.1:8000
	$(BIN)ketacare demo

graph:  ## the web apps' import graph and the pairs that import each other
	$(PY) scripts/import_graph.py --cycles
