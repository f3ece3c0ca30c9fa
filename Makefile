# Two commands do everything: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Four test processes on two cores: much of a test's time is spent waiting for a server,
# a browser or the database; idle processes take work from busy ones (worksteal).
PYTEST_ARGS ?= -n 4 --dist worksteal
# mypy's cache outside the clone, so that a fresh clone on the same machine (as in CI)
# checks only what changed; mypy validates every cached entry against the source.
MYPY_CACHE_DIR ?= $(HOME)/.cache/tianjiao/mypy

.PHONY: run test install install-dev lint bytecode bench i18n screenshots clean

# The packages are installed by uv: pip took about 30 s on one core for what uv installs
# in 6-9 s (it fetches and unpacks in parallel). Their bytecode is compiled as they are
# installed: where PYTHONDONTWRITEBYTECODE is set (as in CI), every process would
# otherwise compile the libraries it imports again.
UV_VERSION := 0.13.9
UV := $(BIN)/uv
UV_INSTALL := $(UV) pip install --quiet --compile-bytecode --python $(BIN)/python

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(UV): | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

$(VENV)/.installed: requirements.txt | $(UV)
	$(UV_INSTALL) -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(UV)
	$(UV_INSTALL) -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## Migrate, load the demo contest, print the log-ins and serve on http://127.0.0.1:8000
run: install
	$(BIN)/python main.py demo

## Lint, type-check and run the whole test suite (SQLite; PostgreSQL too with TEST_DATABASE_URL)
test: install-dev
	@# Lint takes one core; the bytecode is written on the other meanwhile.
	$(MAKE) --no-print-directory -j2 lint bytecode
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The app's bytecode (its migrations and benchmarks too) and pytest's rewritten test
# modules, written once. Where PYTHONDONTWRITEBYTECODE is set (as in CI) nothing else
# writes them: every server, worker and CLI run the suite starts compiled the app again
# (0.2 s of CPU each), and each of the four test processes rewrote every test module's
# asserts (collecting took 11 s of CPU, 4.5 s with them written). Collecting writes them,
# in two processes that take every other test folder each (one took about 10 s on one
# core). A collection error shows in the run that follows.
bytecode: install-dev
	$(BIN)/python -m compileall -q contest scoring migrations bench main.py
	-$(COLLECT) $(TEST_FOLDERS_ODD) > /dev/null & $(COLLECT) $(TEST_FOLDERS_EVEN) > /dev/null; wait

COLLECT := PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest --collect-only -q -p no:cacheprovider
TEST_FOLDERS_ODD = $(shell ls -d tests/*/ | grep -v __pycache__ | awk 'NR % 2')
TEST_FOLDERS_EVEN = $(shell ls -d tests/*/ | grep -v __pycache__ | awk 'NR % 2 == 0')

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports
	MYPY_CACHE_DIR=$(MYPY_CACHE_DIR) $(BIN)/mypy contest main.py bench scoring

## The browser tests on SQLite, with a full-page screenshot of each step in test-artifacts/screenshots/
screenshots: install-dev
	TIANJIAO_SCREENSHOTS=1 TEST_DATABASE_URL= $(BIN)/python -m pytest tests/browser $(PYTEST_ARGS)

## Benchmarks: print figures, never fail on time
bench: install-dev
	$(BIN)/python bench/run_all.py

## List user-visible messages that still lack a Chinese translation
i18n: install-dev
	$(BIN)/python -m contest.core.i18n.extract

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
