# OLE: the two commands of the README are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000
CHROMIUM_PATH ?= /usr/bin/chromium

# The local demo runs with DEBUG off, so it shows the real error pages, on plain HTTP, and staff sign in with a
# password alone (OLE_STAFF_2FA=0; production asks for a one-time code too).
RUN_ENV := OLE_ALLOW_DEV_SECRET=1 OLE_STAFF_2FA=0 SECURE_SSL_REDIRECT=0 SECURE_COOKIES=0 OLE_PLAIN_STATIC=1 OLE_SERVE_MEDIA=1 \
	ALLOWED_HOSTS=$(HOST),127.0.0.1,localhost EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend \
	OLE_SITE_URL=http://$(HOST):$(PORT)

.PHONY: run editor test lint check browser screenshots bench bench-smoke bench-tools lock upgrade clean

# Installs come from the locks (every package pinned with its hashes), so each install is the one CI passed.
$(VENV)/.runtime: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $@

# The locks are compiled for CPython 3.11 on Linux x86_64 whatever machine runs this; without --upgrade, uv keeps
# every version already in the lock and only adds or drops what the .in files changed.
LOCK := $(VENV)/bin/uv pip compile --no-config --quiet --generate-hashes --python-version 3.11 \
	--python-platform x86_64-unknown-linux-gnu --custom-compile-command "make lock"

lock: $(VENV)/.dev  ## Compile requirements.in and requirements-dev.in into the locks, changing no version already locked
	$(LOCK) $(LOCK_ARGS) -o requirements.txt requirements.in
	$(LOCK) $(LOCK_ARGS) -o requirements-dev.txt requirements-dev.in

upgrade: LOCK_ARGS = --upgrade
upgrade: lock  ## Refresh the locks to the newest releases the .in files allow (then run make test)

run: $(VENV)/.runtime  ## Set up, load the demo content and serve the site on SQLite
	$(RUN_ENV) $(PY) manage.py migrate --noinput
	$(RUN_ENV) $(PY) manage.py seed_demo
	@echo "OLE is at http://$(HOST):$(PORT)/  (admin: create an account with 'OLE_ALLOW_DEV_SECRET=1 $(PY) manage.py createsuperuser'"
	@echo "  or 'make editor USERNAME=... EMAIL=...'; this demo signs staff in with a password alone, OLE_STAFF_2FA=0)"
	@echo "Emails are printed here by the mail worker, which runs alongside the site."
	$(RUN_ENV) $(PY) manage.py run_worker --loop & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(RUN_ENV) $(PY) manage.py runserver $(HOST):$(PORT)

editor: $(VENV)/.runtime  ## Make an editor account: make editor USERNAME=thandi EMAIL=thandi@example.org (prints a link to set its password)
	@if [ -z "$(USERNAME)" ] || [ -z "$(EMAIL)" ]; then echo "Usage: make editor USERNAME=name EMAIL=address"; exit 2; fi
	$(RUN_ENV) $(PY) manage.py migrate --noinput -v 0
	$(RUN_ENV) $(PY) manage.py create_editor "$(USERNAME)" "$(EMAIL)"

browser:  ## Make sure Debian's Chromium (browser tests) and nginx (the proxy test) are there
	@if [ ! -x "$(CHROMIUM_PATH)" ] || [ ! -x /usr/sbin/nginx ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing Debian's chromium and nginx-light for the browser and proxy tests..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
				chromium fonts-liberation nginx-light >/dev/null; \
		else \
			echo "The tests need Chromium at $(CHROMIUM_PATH) and nginx at /usr/sbin/nginx."; \
			echo "Install them (Debian/Ubuntu: sudo apt-get install chromium fonts-liberation nginx-light)."; \
			exit 1; \
		fi; \
	fi

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/bandit -q -r ole series stories -x '*/migrations/*' --severity-level high
	$(VENV)/bin/lint-imports

check: $(VENV)/.dev
	DEBUG=1 $(PY) -W error::DeprecationWarning manage.py check
	DEBUG=1 $(PY) manage.py makemigrations --check --dry-run

test: $(VENV)/.dev browser lint check  ## Set up and run every test, browser tests included
	$(PY) -m pytest --screenshot only-on-failure --output test-results $(PYTEST_ARGS)

screenshots: $(VENV)/.dev browser  ## Refresh the README's screenshots
	OLE_UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/e2e -k screenshot -q

# The benchmark needs wrk, nginx, and for its PostgreSQL pass postgresql and redis-server (installed when run as root).
BENCH_ARGS ?=

bench-tools:
	@missing=""; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	[ -x /usr/sbin/nginx ] || command -v nginx >/dev/null || missing="$$missing nginx-light"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing$$missing for the benchmark..."; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
		else \
			echo "The benchmark needs:$$missing (Debian/Ubuntu: sudo apt-get install$$missing)."; \
			exit 1; \
		fi; \
	fi

bench: $(VENV)/.runtime bench-tools  ## Seed, serve (gunicorn, nginx) and measure the four performance figures with wrk (about 8 minutes; a quiet machine); table in bench/results/latest.md
	$(PY) -m bench.run $(BENCH_ARGS)

bench-smoke: $(VENV)/.runtime bench-tools  ## The benchmark in about a minute on tiny data: checks that every step works, measures nothing
	$(PY) -m bench.run --smoke $(BENCH_ARGS)

clean:
	rm -rf $(VENV) test-results .pytest_cache .ruff_cache
