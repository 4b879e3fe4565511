# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: run stop test bench lint audit lock worker clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

run: $(INSTALLED)
	$(VENV)/bin/lending serve --demo

# The embedded PostgreSQL outlives `make run` (the worker and the CLI share it).
stop: $(INSTALLED)
	$(VENV)/bin/lending db stop

worker: $(INSTALLED)
	$(VENV)/bin/lending worker

# Two workers: the suite waits on PostgreSQL as much as on Python.
test: $(INSTALLED)
	$(PY) -m pytest -n 2

bench: $(INSTALLED)
	$(PY) -m pytest tests/benchmarks -p no:cacheprovider -q -s -o addopts=""

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy --strict domain application

# Known vulnerabilities in the locked dependencies (needs PyPI's JSON API).
audit: $(INSTALLED)
	$(PY) .ci/audit

# Pin what pyproject.toml resolves to, after changing a dependency.
lock: $(INSTALLED)
	$(PY) .ci/lock

clean:
	rm -rf $(VENV) .lending-test
