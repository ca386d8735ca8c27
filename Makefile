# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
TOOLS := .tools
UV := $(TOOLS)/bin/uv
VENV := .venv
CHROMIUM := /usr/bin/chromium
SUDO = $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: help env run test test-ui ui verify bench lint format docs clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z-]+):.*## /  make \1\t/' | expand -t 18

# uv itself lives in its own small virtual environment, so nothing is installed outside the project.
$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment is created from the lock file exactly (`--locked`: never re-resolved, and an
# error if pyproject.toml asks for something the lock file lacks), with bytecode compiled up
# front: where PYTHONDONTWRITEBYTECODE is set, every process would otherwise compile dagster,
# pandas and polars again when it starts (seconds each).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)
	touch $@

env: $(VENV)/.synced  ## create the environment from the lock file (run and test do it too)

run: env  ## build tables, warehouse and release from the seeds folder
	$(VENV)/bin/daily-papers build

test: env  ## lint, then run the whole test suite (except the browser test: make test-ui)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest -m "not browser"

# The UI test drives Debian's Chromium through Playwright (never `playwright install`).
$(CHROMIUM):
	$(SUDO) apt-get update -q
	$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

test-ui: env | $(CHROMIUM)  ## Dagster UI in headless Chromium; screenshots in tests/screenshots/
	$(VENV)/bin/pytest -m browser

ui: env  ## Dagster UI on http://127.0.0.1:3000
	$(VENV)/bin/daily-papers ui

verify: env  ## check a release folder (default: the latest): make verify RELEASE=path/to/release
	$(VENV)/bin/daily-papers verify "$(or $(RELEASE),$(or $(DAILY_PAPERS_WAREHOUSE_DIR),warehouse)/releases/latest)"

bench: env  ## scale benchmark (ten years of synthetic reports); writes bench/RESULTS.md
	$(VENV)/bin/python -m bench

lint: env  ## ruff: lint and check the formatting
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env  ## ruff: fix what it can and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

docs: env  ## regenerate the data dictionary, the README's reason codes and docs/facet-quality.md
	$(VENV)/bin/python -m schemas.fingerprint
	$(VENV)/bin/python -m schemas.dictionary > docs/data-dictionary.md
	$(VENV)/bin/python -m schemas.dictionary --readme
	$(VENV)/bin/python -m pipelines.facets.quality > docs/facet-quality.md

# Only the project's own default folders: a DAGSTER_HOME or warehouse set elsewhere is left alone
# (.dagster_home is where older versions kept the Dagster home).
clean:  ## remove built outputs in the project folder (keeps seeds and code)
	rm -rf warehouse/daily_papers.duckdb warehouse/daily_papers.duckdb.wal warehouse/releases \
		warehouse/.dagster_home warehouse/.build.lock .dagster_home bench/.work tests/screenshots
