# The everyday verbs of infogov. `make run` serves the demo, `make test` runs the whole suite;
# both set up everything they need first (Python >= 3.12 in .venv, the Python packages from
# pyproject.toml, the Debian packages, compiled translations). `make help` lists the rest.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8000
PYTEST_ARGS ?=

VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Holds the sha256 of the pyproject.toml that the venv was installed from.
STAMP := $(VENV)/.infogov-installed

# WeasyPrint needs Pango (and harfbuzz-subset, without which it is ~20x slower on Chinese
# text); Noto CJK renders Chinese in PDFs; poppler-utils reads PDFs back in tests; gettext
# compiles translations; the end-to-end tests drive Debian's Chromium; libsodium does the
# secret ballot's cryptography (ristretto255, Argon2id, sealed boxes; through pysodium).
APT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-cjk \
	poppler-utils gettext chromium libsodium23

PY_OK := import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)
# Candidates in order; a pyenv shim can exist for a version pyenv has not selected and then
# fails when run, so each one is tried by running it.
PYTHON_CANDIDATES = python3.13 python3.12 python3 \
	$(shell ls -d $(HOME)/.pyenv/versions/3.1[2-9]*/bin/python 2>/dev/null | sort -rV)
# Runtime dependencies plus the dev extra, read from pyproject.toml.
PY_REQUIREMENTS := import tomllib; p = tomllib.load(open("pyproject.toml", "rb"))["project"]; \
	print("\n".join(p["dependencies"] + p["optional-dependencies"]["dev"]))

.PHONY: help run test bench lint fmt migrations-check check deploy-check \
	install venv deps sysdeps fonts assets messages

help:
	@echo "make run               set up, load the demo, serve on http://127.0.0.1:$(PORT)/ (PORT=...)"
	@echo "make test              set up, run the whole pytest suite (PYTEST_ARGS=...;"
	@echo "                       DATABASE_URL=postgres://... runs it on PostgreSQL)"
	@echo "make bench             the vote burst and the meeting page under gunicorn on PostgreSQL"
	@echo "make lint              ruff check, ruff format --check, import-linter, mypy, bandit"
	@echo "make fmt               sort imports and format with ruff"
	@echo "make migrations-check  fail if a model change has no migration"
	@echo "make check             lint + migrations-check + test"
	@echo "make deploy-check      manage.py check --deploy under production settings, no warnings"
	@echo "make install           only the set-up: venv, packages, Debian packages, translations"

# --- Set-up ---------------------------------------------------------------------------------

install: messages

# A venv on Python >= 3.12: kept if it has one, otherwise (re)made with the first candidate.
venv:
	@if $(PY) -c '$(PY_OK)' 2>/dev/null; then exit 0; fi; \
	python=""; \
	for cand in $(PYTHON_CANDIDATES); do \
		if "$$cand" -c '$(PY_OK)' >/dev/null 2>&1; then python="$$cand"; break; fi; \
	done; \
	if [ -z "$$python" ]; then \
		echo "infogov needs Python >= 3.12; none of these runs one: $(PYTHON_CANDIDATES)" >&2; \
		echo "Install one, for example:" >&2; \
		echo "  Debian 13:  apt-get install python3.13 python3.13-venv" >&2; \
		echo "  pyenv:      pyenv install 3.12" >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$python ($$("$$python" -c 'import sys; print(sys.version.split()[0])'))"; \
	rm -rf $(VENV); \
	if ! "$$python" -m venv $(VENV); then \
		rm -rf $(VENV); \
		echo "$$python cannot create a venv; on Debian: apt-get install python3-venv" \
			"(or python3.X-venv for your version)" >&2; \
		exit 1; \
	fi

# Python packages, installed again only when pyproject.toml has changed.
deps: venv
	@want="$$(sha256sum pyproject.toml | cut -d' ' -f1)"; \
	if [ -f $(STAMP) ] && [ "$$(cat $(STAMP))" = "$$want" ]; then exit 0; fi; \
	echo "Installing the Python packages of pyproject.toml (with the dev extra) into $(VENV)"; \
	$(PY) -c '$(PY_REQUIREMENTS)' > $(VENV)/requirements.txt; \
	$(PY) -m pip install -r $(VENV)/requirements.txt; \
	echo "$$want" > $(STAMP)

# Debian packages: apt-get installs what is missing when run as root; otherwise say what to run.
sysdeps:
	@if ! command -v dpkg-query >/dev/null; then \
		echo "warning: not Debian; make sure these (or their equivalents) are installed:" \
			"$(APT_PACKAGES)" >&2; \
		exit 0; \
	fi; \
	missing=""; \
	for pkg in $(APT_PACKAGES); do \
		status="$$(dpkg-query -W -f='$${Status}' "$$pkg" 2>/dev/null || true)"; \
		if [ "$$status" != "install ok installed" ]; then missing="$$missing $$pkg"; fi; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" -ne 0 ]; then \
		echo "Missing Debian packages:$$missing" >&2; \
		echo "Install them as root, then run make again:" >&2; \
		echo "  sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
		exit 1; \
	fi; \
	echo "Installing Debian packages:$$missing"; \
	apt-get update; \
	DEBIAN_FRONTEND=noninteractive apt-get install -y$$missing

# The free Fandol fonts (仿宋, 黑体, 楷体, 宋) for the minutes PDF, taken from Debian's
# texlive-lang-chinese package without installing it: apt-get download (no root needed), then
# only the .otf files are copied to $(FONTS_DIR), which meetings.minutes.pdf reads (it falls back
# to Noto CJK when they are missing). An empty or stale apt list makes the download fail: then,
# as root, apt-get update runs once and the download is tried again.
FONTS_DIR := $(or $(INFOGOV_VAR_DIR),var)/fonts/fandol
FONTS_DEB := texlive-lang-chinese
FONTS_IN_DEB := usr/share/texlive/texmf-dist/fonts/opentype/public/fandol/

fonts:
	@if ls $(FONTS_DIR)/Fandol*.otf >/dev/null 2>&1; then exit 0; fi; \
	if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then \
		echo "warning: not Debian; put the Fandol fonts (FandolFang, FandolHei, FandolKai," \
			"FandolSong .otf, from CTAN fandol) in $(FONTS_DIR)/ or the minutes PDF" \
			"falls back to Noto CJK" >&2; \
		exit 0; \
	fi; \
	dest="$$(realpath -m $(FONTS_DIR))"; \
	tmp="$$(mktemp -d)"; trap 'rm -rf "$$tmp"' EXIT; \
	cd "$$tmp"; \
	echo "Fetching the Fandol fonts from Debian's $(FONTS_DEB) into $(FONTS_DIR)"; \
	if ! apt-get download $(FONTS_DEB); then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "apt-get download $(FONTS_DEB) failed; the apt lists may be stale." >&2; \
			echo "Run as root, then make again:  sudo apt-get update" >&2; \
			exit 1; \
		fi; \
		echo "apt-get download failed: updating the apt lists and trying again"; \
		apt-get update; \
		apt-get download $(FONTS_DEB); \
	fi; \
	deb="$$(ls $(FONTS_DEB)_*.deb)"; \
	dpkg-deb -c "$$deb" | awk '{print $$NF}' | grep -F '$(FONTS_IN_DEB)' | grep -E '\.otf$$' > otf.list; \
	if [ ! -s otf.list ]; then echo "no Fandol .otf in $$deb" >&2; exit 1; fi; \
	dpkg-deb -x "$$deb" x; \
	mkdir -p "$$dest.partial"; \
	while read -r f; do cp "x/$${f#./}" "$$dest.partial/"; done < otf.list; \
	rm -rf "$$dest"; mv "$$dest.partial" "$$dest"; \
	echo "Installed $$(ls "$$dest" | wc -l) Fandol fonts in $(FONTS_DIR)"

# Front-end libraries from the npm registry (infogov/assets/package.json and its lock), copied
# into infogov/assets/build/, which settings.STATICFILES_DIRS serves and collectstatic collects:
# no CDN. Installed again only when the lock file changes. Node.js and npm come from Debian when
# the machine has none.
ASSETS := infogov/assets
ASSETS_STAMP := $(ASSETS)/node_modules/.infogov-installed
ASSET_FILES := chart.js/dist/chart.umd.min.js

assets: sysdeps
	@if ! command -v npm >/dev/null; then \
		if [ "$$(id -u)" -ne 0 ]; then \
			echo "npm is missing: sudo apt-get install -y nodejs npm, then make again" >&2; exit 1; \
		fi; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm; \
	fi; \
	want="$$(sha256sum $(ASSETS)/package-lock.json | cut -d' ' -f1)"; \
	if [ ! -f $(ASSETS_STAMP) ] || [ "$$(cat $(ASSETS_STAMP))" != "$$want" ]; then \
		echo "Installing the front-end packages of $(ASSETS)/package-lock.json"; \
		npm ci --prefix $(ASSETS) --no-audit --no-fund; \
		echo "$$want" > $(ASSETS_STAMP); \
	fi; \
	mkdir -p $(ASSETS)/build/vendor; \
	for f in $(ASSET_FILES); do cp "$(ASSETS)/node_modules/$$f" $(ASSETS)/build/vendor/; done

# Compile locale/*/LC_MESSAGES/*.po; .venv and var are skipped, else Django would walk into
# the installed packages and compile their catalogues too.
messages: deps sysdeps fonts assets
	@if find locale -name '*.po' -print 2>/dev/null | grep -q .; then \
		$(MANAGE) compilemessages --ignore=$(VENV) --ignore=var --ignore=node_modules; \
	else \
		echo "No locale/*.po yet: skipping compilemessages"; \
	fi

# --- Everyday verbs -------------------------------------------------------------------------

run: messages
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) load_demo_meetings
	$(MANAGE) load_demo_projects
	$(MANAGE) load_demo_followup
	$(MANAGE) sync_permissions
	@echo "Serving infogov on http://127.0.0.1:$(PORT)/ (demo password: infogov-demo)"
	@# The background worker renders and signs minutes; it stops with the server.
	@$(MANAGE) db_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	DJANGO_DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

# Exit code 5 (pytest collected no tests) fails like any other.
test: messages
	@if [ -n "$${DATABASE_URL:-}" ]; then db="$${DATABASE_URL%%:*} (DATABASE_URL)"; \
	else db="SQLite"; fi; \
	echo "Running the test suite on $$db"; \
	rc=0; \
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m pytest $(PYTEST_ARGS) || rc=$$?; \
	if [ "$$rc" -eq 5 ]; then echo "pytest collected no tests: that is a failure" >&2; fi; \
	exit "$$rc"

# Votes and the meeting page under gunicorn on PostgreSQL, next to minimal views, then render +
# sign time of minutes (prints tables with the targets; needs PostgreSQL; not part of CI).
bench: messages
	$(PY) bench/run.py
	$(PY) bench/minutes.py

# Both run, so one report shows every problem.
lint: deps
	@rc=0; \
	echo "ruff check"; $(PY) -m ruff check . || rc=1; \
	echo "ruff format --check"; $(PY) -m ruff format --check . || rc=1; \
	echo "lint-imports (the layers of pyproject.toml)"; $(VENV)/bin/lint-imports --no-logo --no-cache || rc=1; \
	echo "mypy (django-stubs)"; $(PY) -m mypy || rc=1; \
	echo "bandit (medium and high)"; $(PY) -m bandit -c pyproject.toml -r . -ll -q || rc=1; \
	exit "$$rc"

fmt: deps
	$(PY) -m ruff check --select I --fix .
	$(PY) -m ruff format .

migrations-check: deps
	$(MANAGE) makemigrations --check --dry-run

check: lint migrations-check test

# Production-like environment with a throwaway secret key; any warning fails.
deploy-check: deps assets
	@key="$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(64))')"; \
	env DJANGO_DEBUG=0 DJANGO_SECURE=1 INFOGOV_DEV=0 DJANGO_SECRET_KEY="$$key" \
		DJANGO_ALLOWED_HOSTS=infogov.example.edu \
		$(MANAGE) check --deploy --fail-level WARNING
