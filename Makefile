# Relais — everyday commands. Every target installs what it needs first, so a fresh clone
# only needs `make run` or `make test`.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:

VENV := .venv
PY := $(VENV)/bin/python
# Written after a successful install; pyproject.toml being newer triggers a re-install.
INSTALL_STAMP := $(VENV)/.installed
NODE_STAMP := node_modules/.package-lock.json
PYTEST_ARGS ?=
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/relais
# Tests always use SQLite unless a target says otherwise, whatever the caller's environment.
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3
MAKEMESSAGES_IGNORE := --ignore=.venv --ignore=node_modules --ignore=staticfiles --ignore=tests --ignore=benchmarks
TEST_ENV := RELAIS_TESTING=1
PYTEST := $(PY) -m pytest -n auto -ra

# The first interpreter >= 3.12 among: python3 (pyenv resolves it through .python-version),
# python3.13, python3.12, then pyenv's installed versions.
define find_python
for candidate in python3 python3.13 python3.12 \
	$$(ls -d $$HOME/.pyenv/versions/3.1[23]*/bin/python 2>/dev/null | sort -rV); do \
	if command -v "$$candidate" >/dev/null 2>&1 \
		&& "$$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
		echo "$$candidate"; break; \
	fi; \
done
endef

.PHONY: help
help:
	@echo "make run               install, compile translations, migrate, load demo data, serve on http://127.0.0.1:8000"
	@echo "make test              the whole suite on SQLite (browser tests skip when Chromium is missing)"
	@echo "make test-postgres     the whole suite on PostgreSQL ($(POSTGRES_URL))"
	@echo "make lint              ruff check + ruff format --check"
	@echo "make format            ruff format + ruff check --fix"
	@echo "make migrations-check  fail when a model change has no migration"
	@echo "make messages          update locale/fr/LC_MESSAGES/django.po and compile it"
	@echo "make install           create $(VENV) and install the project with its dev extras"
	@echo "Extra pytest arguments: make test PYTEST_ARGS='-k caseload -x'"

# --- installation -------------------------------------------------------------------------

$(PY):
	@python="$$($(find_python))"; \
	if [ -z "$$python" ]; then \
		echo "error: no Python >= 3.12 found (tried python3, python3.13, python3.12 and" \
			"~/.pyenv/versions/3.12*, 3.13*). Install one, e.g. 'pyenv install 3.13'." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" -V))"; \
	"$$python" -m venv $(VENV)

$(INSTALL_STAMP): pyproject.toml | $(PY)
	@$(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' || { \
		echo "error: $(VENV) uses $$($(PY) -V); Relais needs Python >= 3.12." \
			"Remove $(VENV) and run make again." >&2; exit 1; }
	$(PY) -m pip install --progress-bar off -e '.[dev]'
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund && touch $@; \
	else \
		echo "warning: npm not found: axe-core is not installed, browser tests will be skipped." >&2; \
	fi

.PHONY: install
install: $(INSTALL_STAMP)

.PHONY: node-deps
node-deps: $(NODE_STAMP)

# compilemessages needs GNU gettext's msgfmt.
.PHONY: gettext
gettext:
	@command -v msgfmt >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			echo "msgfmt not found: installing gettext"; \
			export DEBIAN_FRONTEND=noninteractive; \
			apt-get update && apt-get install -y --no-install-recommends gettext; \
		else \
			echo "error: GNU gettext's msgfmt is needed to compile translations." \
				"Install it (Debian/Ubuntu: sudo apt-get install gettext;" \
				"macOS: brew install gettext) and run make again." >&2; \
			exit 1; \
		fi; }

.PHONY: compilemessages
compilemessages: $(INSTALL_STAMP) gettext
	@# Django's compilemessages errors out when there is no locale directory at all.
	@if compgen -G 'locale/*/LC_MESSAGES/*.po' >/dev/null; then \
		echo "$(TEST_ENV) $(PY) manage.py compilemessages $(MAKEMESSAGES_IGNORE)"; \
		$(TEST_ENV) $(PY) manage.py compilemessages $(MAKEMESSAGES_IGNORE); \
	else \
		echo "No catalogue under locale/: nothing to compile."; \
	fi

# --- running --------------------------------------------------------------------------------

.PHONY: run
run: $(INSTALL_STAMP) compilemessages
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py seed_demo
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# --- checks ---------------------------------------------------------------------------------

.PHONY: test
test: $(INSTALL_STAMP) $(NODE_STAMP) compilemessages
	$(TEST_ENV) DATABASE_URL=$(SQLITE_URL) $(PYTEST) $(PYTEST_ARGS)

.PHONY: test-postgres
test-postgres: $(INSTALL_STAMP) $(NODE_STAMP) compilemessages
	$(TEST_ENV) DATABASE_URL=$(POSTGRES_URL) $(PYTEST) $(PYTEST_ARGS)

.PHONY: lint
lint: $(INSTALL_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: format
format: $(INSTALL_STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: migrations-check
migrations-check: $(INSTALL_STAMP)
	$(TEST_ENV) DATABASE_URL=$(SQLITE_URL) $(PY) manage.py makemigrations --check --dry-run

.PHONY: messages
messages: $(INSTALL_STAMP) gettext
	$(TEST_ENV) $(PY) manage.py makemessages -l fr --no-obsolete $(MAKEMESSAGES_IGNORE)
	$(TEST_ENV) $(PY) manage.py compilemessages $(MAKEMESSAGES_IGNORE)

.PHONY: translations-check
translations-check: $(INSTALL_STAMP) gettext
	$(PY) scripts/check_translations.py
