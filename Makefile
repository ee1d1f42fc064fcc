# csceval: the two commands are `make demo` and `make test`; everything else supports them.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_OUT ?= demo

.PHONY: demo test prerequisites lint typecheck imports wheel unit unit-postgres install browser lock clean

# PostgreSQL for the second run of the web tests (pytest-django creates and drops test_test).
POSTGRES_URL ?= postgresql://postgres@127.0.0.1:5432/test

$(STAMP): requirements/lock.txt pyproject.toml package.json package-lock.json
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements/lock.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	npm ci --no-audit --no-fund --loglevel=error
	touch $(STAMP)

install: $(STAMP)

## Debian's Chromium for the browser tests (Playwright drives it; browsers cannot be downloaded).
CHROMIUM := /usr/bin/chromium
$(CHROMIUM):
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null

browser: $(CHROMIUM)

## Debian's Pango (WeasyPrint, for `csceval run --pdf`) and poppler's pdftoppm (the PDF test
## renders its pages).
PDFTOPPM := /usr/bin/pdftoppm
$(PDFTOPPM): | $(CHROMIUM)  # after it: two apt-gets at once would fight over dpkg's lock
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 poppler-utils >/dev/null

## Simulate the embedded synthetic evaluation, run every strand and write the report.
demo: $(STAMP)
	$(BIN)/csceval demo --out $(DEMO_OUT)

## The reference evaluation (examples/sos-phase2) on the real DfE data in ../shared/data: build
## the panel (2021 statistical neighbours, as its evaluation.toml asks), add evaluation.toml,
## validate, and run every LA-level strand. Open $(EXAMPLE_REPORT)/report/index.html.
SHARED_DATA ?= ../shared/data
EXAMPLE_DIR ?= ../sos-phase2
EXAMPLE_REPORT ?= ../sos-phase2-report
.PHONY: example
example: $(STAMP)
	$(BIN)/csceval data build-panel $(SHARED_DATA) --out $(EXAMPLE_DIR) --neighbours 2021 --quiet
	cp examples/sos-phase2/evaluation.toml $(EXAMPLE_DIR)/evaluation.toml
	$(BIN)/csceval validate $(EXAMPLE_DIR)
	$(BIN)/csceval run $(EXAMPLE_DIR) --out $(EXAMPLE_REPORT) --quiet

## Every quality gate and every test. The SQLite pass prints its progress; beside it run the
## gates (lint, types, import contracts, the wheel check; two at a time) and the PostgreSQL pass,
## which fill the time the browser journeys leave the cores idle. Their output goes to
## .test-logs/ and is shown at the end; make fails if anything fails (.ci/beside).
test: prerequisites $(STAMP) $(CHROMIUM) $(PDFTOPPM)
	.ci/beside "gates:$(MAKE) --no-print-directory --output-sync=target -j2 lint typecheck imports wheel" \
	  "postgres:$(MAKE) --no-print-directory unit-postgres" -- $(MAKE) --no-print-directory unit

## Python 3.11, npm, PostgreSQL at 127.0.0.1:5432 and Chromium (or root and apt to install it):
## each missing one is named with what to do, before anything is installed.
prerequisites:
	PYTHON=$(PYTHON) .ci/prerequisites

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

imports: $(STAMP)
	$(BIN)/lint-imports

## Build the wheel, check it holds every file of the package, install it with the core
## dependencies only (no Django) in a fresh venv, run `csceval --help` there and simulate and
## run the demo project with its plan cut to one indicator (every strand and estimator).
wheel: $(STAMP)
	PYTHON=$(PYTHON) BUILD_PYTHON=$(BIN)/python .ci/wheel-check

# One worker process per core (pytest-xdist; three workers measured no faster on two cores).
# Work units are test modules (module fixtures are built once), except the browser journeys, one
# unit together on one worker against one server, and the longest units start first: see
# pytest_collection_modifyitems in tests/conftest.py. One BLAS thread per process: with a worker
# per core, OpenBLAS's own threads only contend for the same cores (docs/benchmarks.md, "Test suite").
PYTEST := OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 \
	$(BIN)/pytest -q --numprocesses=auto --maxprocesses=4 --dist=loadgroup --no-loadscope-reorder

unit: $(STAMP) $(CHROMIUM) $(PDFTOPPM)
	$(PYTEST) tests

## The web tests that touch the database engine again, on PostgreSQL (DESIGN.md: both databases
## are tested): transactions and locks, raw SQL and triggers (the audit chain), sessions, imports
## and exports, background runs, serving, query counts. The others run once, on SQLite: the
## access matrix (its answers come from the permission rules), the browser journeys, and the
## page, header, settings, permission and upload-limit tests, which make only plain ORM calls
## that the engine tests also make.
ENGINE_AGNOSTIC := access_matrix error_pages formula_injection journeys_fixed permissions \
	returns_pages run_file_scopes uploads_bounded web_accounts web_mfa web_pages web_security \
	web_settings links static_assets benchmarks_page family_goals_pages family_goals_concordance \
	scoping_web_register scoping_links interviews_pages
unit-postgres: $(STAMP)
	DATABASE_URL=$(POSTGRES_URL) $(PYTEST) \
	  tests/web -m "not browser" \
	  $(foreach m,$(ENGINE_AGNOSTIC),--ignore=tests/web/test_$(m).py)

## Re-pin every package after editing requirements/*.in.
lock:
	rm -rf /tmp/csceval-lock && $(PYTHON) -m venv /tmp/csceval-lock
	/tmp/csceval-lock/bin/pip install --quiet --upgrade pip
	/tmp/csceval-lock/bin/pip install --quiet -r requirements/base.in -r requirements/dev.in
	{ echo '# Fully pinned environment (runtime + test tools) for Python 3.11. Regenerate with `make lock`.'; \
	  /tmp/csceval-lock/bin/pip freeze --all | grep -v '^pip=='; } > requirements/lock.txt

clean:
	rm -rf $(VENV) node_modules $(DEMO_OUT) .pytest_cache .mypy_cache .ruff_cache .test-logs
