# Cwtch: `make run` serves the app with demo data; `make test` runs every test.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app supervision
CATALOGUE := supervision/translations
PO := $(CATALOGUE)/cy/LC_MESSAGES/messages.po
MO := $(PO:.po=.mo)

.PHONY: run test install assets translations extract screenshots bench audit clean

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/dist/cwtch.css: node_modules/.installed static/build.mjs $(wildcard static/src/*.scss)
	node static/build.mjs

$(MO): $(PO) $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -d $(CATALOGUE) -D messages

install: $(BIN)/.installed
assets: static/dist/cwtch.css
translations: $(MO)

run: install assets translations
	FLASK_DEBUG=1 $(FLASK) db upgrade
	FLASK_DEBUG=1 $(FLASK) seed-demo --if-empty
	@# The scheduler runs beside the web app and stops with it; web workers never start it.
	FLASK_DEBUG=1 $(FLASK) scheduler & scheduler=$$!; \
	trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	FLASK_DEBUG=1 $(FLASK) run --host 127.0.0.1 --port 5000

test: install assets translations
	$(BIN)/pytest $(PYTEST_ARGS)

# Re-extract every translatable string and merge new ones into the Welsh catalogue.
extract: install
	$(BIN)/pybabel extract --no-location --sort-output -F babel.cfg -k _l -k lazy_gettext -o $(CATALOGUE)/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching -i $(CATALOGUE)/messages.pot -d $(CATALOGUE) -D messages

screenshots: install assets translations
	CWTCH_SCREENSHOTS=docs/screenshots $(BIN)/pytest tests/browser/test_screenshots.py -q

bench: install assets translations
	$(BIN)/python -m bench

# bandit over supervision/ (medium severity and above) and pip-audit over the installed packages.
audit: install
	BIN=$(BIN) .ci/audit

clean:
	rm -rf $(VENV) node_modules static/dist
