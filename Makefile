# chaos-harness: `make run` and `make test` each set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMPS := tools/.stamps
FRONTEND := reference_widget/frontend
TOXIPROXY_VERSION := v2.12.0
PYMINOR := $(shell $(PYTHON) -c 'import sys; print(sys.version_info[1])' 2>/dev/null)
CONSTRAINTS := constraints/py3$(if $(filter 11,$(PYMINOR)),11,12).txt
FRONTEND_SOURCES := $(shell find $(FRONTEND)/src $(FRONTEND)/index.html $(FRONTEND)/vite.config.ts -type f 2>/dev/null)

.PHONY: help setup run soak test lint typecheck unit e2e widget-test bench clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(STAMPS)/venv $(STAMPS)/chromium $(STAMPS)/toxiproxy $(FRONTEND)/dist/index.html $(STAMPS)/allure ## install everything (idempotent)

$(STAMPS)/venv: pyproject.toml $(CONSTRAINTS)
	@mkdir -p $(STAMPS)
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "chaos-harness needs Python >= 3.11"'
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "setup: Python packages (pinned by $(CONSTRAINTS))"
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -c $(CONSTRAINTS) -e '.[dev]'
	@touch $@

$(STAMPS)/chromium: $(STAMPS)/venv tools/setup-chromium.sh
	@bash tools/setup-chromium.sh $(PY)
	@touch $@

$(STAMPS)/toxiproxy: tools/setup-toxiproxy.sh
	@bash tools/setup-toxiproxy.sh $(TOXIPROXY_VERSION)
	@mkdir -p $(STAMPS) && touch $@

$(FRONTEND)/node_modules/.package-lock.json: $(FRONTEND)/package-lock.json
	@echo "setup: widget front end dependencies (npm ci)"
	@cd $(FRONTEND) && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(FRONTEND)/dist/index.html: $(FRONTEND)/node_modules/.package-lock.json $(FRONTEND_SOURCES)
	@echo "setup: building the widget front end"
	@cd $(FRONTEND) && npm run --silent build -- --logLevel warn

$(STAMPS)/allure: tools/node/package-lock.json
	@echo "setup: Allure 3 command line (npm ci)"
	@cd tools/node && npm ci --no-audit --no-fund --loglevel=error
	@mkdir -p $(STAMPS) && touch $@

run: setup ## run the scenario suite against the reference widget and render the Allure report
	@$(VENV)/bin/chaos-harness run

soak: setup ## soak the reference widget under the default fault mix; dashboard and gate in reports/soak
	@$(VENV)/bin/chaos-harness soak

lint: setup ## ruff and mypy on the harness, eslint and typecheck on the widget
	@$(VENV)/bin/ruff check .
	@$(VENV)/bin/mypy
	@cd $(FRONTEND) && npm run --silent typecheck
	@cd $(FRONTEND) && npm run --silent lint

unit: setup ## harness unit and backend tests (no browser), the widget's Vitest tests
	@$(PY) -m pytest tests -m "not e2e" -q
	@cd $(FRONTEND) && npm run --silent test

e2e: setup ## live tests through the real proxy chain, then the scenario suite
	@$(PY) -m pytest tests -m e2e -q
	@$(PY) -m pytest scenarios -q -n 2

test: lint unit e2e ## the whole test suite

bench: setup ## benchmarks (not timed tests): proxy overhead, scenario overhead, virtual-time compression
	@$(PY) -m bench

clean: ## remove generated reports (keeps installed tools)
	@rm -rf reports/allure-results reports/html reports/html-single reports/junit.xml reports/summary.json reports/repeat reports/repeat.json reports/soak
