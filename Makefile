# One command to run the registry, one to test it. Everything else is what they call.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run serve test setup install install-dev translations migrate refdata admin demo \
        messages lint bench loadtest clean

run: setup
	@if [ "$${REGISTRY_DEMO:-0}" = "1" ] && [ -n "$$($(FLASK) --help 2>/dev/null | grep -w demo)" ]; then \
		$(FLASK) demo load --if-empty; fi
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	REGISTRY_JOBS_IN_PROCESS=$${REGISTRY_JOBS_IN_PROCESS:-1} $(FLASK) run --host $(HOST) --port $(PORT)

setup: install translations migrate refdata admin

# Serving for production: gunicorn with the worker setting picked by the closed-loop load test
# (`make loadtest`, docs/benchmarks.md «Throughput at saturation»).
GUNICORN_WORKERS ?= 2
GUNICORN_CLASS ?= sync
GUNICORN_THREADS ?= 1
serve: setup
	$(BIN)/gunicorn --workers $(GUNICORN_WORKERS) --worker-class $(GUNICORN_CLASS) \
		--threads $(GUNICORN_THREADS) --bind $(HOST):$(PORT) wsgi:app

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev

translations: install
	$(BIN)/pybabel compile --use-fuzzy -d registry/translations -D messages --statistics 2>&1 | tail -n 2

migrate: install
	$(FLASK) db upgrade

refdata: migrate
	$(FLASK) refdata load

admin: migrate
	$(FLASK) users ensure-admin

# Extract the strings for people and merge them into the catalogues (run after changing them).
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k ngettext:1,2 -o registry/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i registry/translations/messages.pot -d registry/translations -D messages --no-fuzzy-matching --ignore-obsolete

# The whole suite on SQLite, then again on PostgreSQL when REGISTRY_TEST_DATABASE_URL is set.
test: install-dev translations
	$(BIN)/pytest -q -p no:cacheprovider tests
	@if [ -n "$${REGISTRY_TEST_DATABASE_URL:-}" ]; then \
		echo "== the suite again on PostgreSQL =="; \
		REGISTRY_TEST_BACKEND=postgresql $(BIN)/pytest -q -p no:cacheprovider tests; \
	fi

lint: install-dev
	$(BIN)/ruff check .

# Benchmarks and the load test: not part of `make test` (see docs/benchmarks.md).
bench: install-dev translations
	$(BIN)/python -m benchmarks

$(VENV)/.installed-bench: requirements-bench.txt requirements-dev.txt requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-bench.txt
	touch $@

loadtest: $(VENV)/.installed-bench translations
	$(BIN)/python -m benchmarks.loadtest

clean:
	rm -rf $(VENV) registry/translations/*/LC_MESSAGES/*.mo
