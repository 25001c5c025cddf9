# PL Coach. Quick start: `make run` (serve on SQLite) and `make test` (PostgreSQL + Chromium).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV_ENV := DEBUG=true DATABASE_URL=
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run serve test bench chromium fonts clean

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

install: $(VENV)/.installed

## Fresh clone -> virtual env, migrate, load content and the demo district, serve on SQLite.
run: install fonts
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py load_progressions
	$(DEV_ENV) $(BIN)/python manage.py load_demo_district
	$(DEV_ENV) $(BIN)/python manage.py runserver $(ADDRESS)

## Production-style server (settings from the environment; see README). gunicorn believes no
## forwarded header itself (--forwarded-allow-ips=): the app hears them from TRUSTED_PROXIES only.
serve: install fonts
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/gunicorn plcoach.wsgi --bind $(ADDRESS) --workers $${WEB_CONCURRENCY:-3} --timeout $${GUNICORN_TIMEOUT:-60} \
	  --forwarded-allow-ips= --access-logfile -

## Debian's Chromium for the browser tests, installed only if missing.
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Chromium not found: installing Debian's chromium with apt-get"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## DejaVu Sans, the font of the printed summaries, so a PDF is the same on every machine; installed only if missing.
fonts:
	@fc-list 2>/dev/null | grep -q "DejaVu Sans" || { \
	  echo "DejaVu Sans not found: installing Debian's fonts-dejavu-core with apt-get"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq fontconfig fonts-dejavu-core >/dev/null; }

## The whole suite on PostgreSQL and in Chromium; then, but for the browser tests, on SQLite:
## the database `make run` serves, where an id too large for it was once a 500.
test: install chromium fonts
	PLCOACH_TEST_DATABASE=postgresql tests/postgres.sh $(BIN)/pytest $(PYTEST_ARGS)
	PLCOACH_TEST_DATABASE=sqlite3 DATABASE_URL= $(BIN)/pytest -q -m "not browser" $(PYTEST_ARGS)

## Benchmarks: print their figures (SQLite, then PostgreSQL).
bench: install fonts
	$(BIN)/python bench/content.py
	tests/postgres.sh $(BIN)/python bench/content.py
	tests/postgres.sh $(BIN)/python bench/walk.py
	tests/postgres.sh $(BIN)/python bench/reports.py
	tests/postgres.sh $(BIN)/python bench/dashboard.py
	tests/postgres.sh $(BIN)/python bench/load.py

clean:
	rm -rf $(VENV) staticfiles db.sqlite3 .pytest_cache
