# elearn: the README names these targets. `make demo` and `make test` are the two set-up commands.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
PG_URL  ?= postgres://postgres@127.0.0.1:5432/test
REDIS   ?= redis://127.0.0.1:6379/0
PYTEST  := $(BIN)/pytest -q -p no:randomly

.PHONY: install install-dev demo serve test test-sqlite test-postgres checks lint format messages bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python                    ## runtime dependencies into .venv
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python                ## test dependencies, Chromium and CJK fonts
	$(BIN)/pip install -q -r requirements-dev.txt
	./scripts/install-system-deps.sh

demo: install                             ## install, migrate, seed demo content, serve on 0.0.0.0:8000 (embedded default)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo $(if $(LAWS),--laws $(LAWS),)
	$(MAKE) serve

serve:                                    ## daphne: HTTP + WebSocket on 0.0.0.0:8000
	$(BIN)/daphne -b 0.0.0.0 -p 8000 elearn.asgi:application

test: install-dev checks test-sqlite test-postgres   ## the whole suite on both backends, plus checks and lint

test-sqlite:                              ## suite on the embedded default (SQLite + in-memory layer)
	env -u DATABASE_URL -u REDIS_URL $(PYTEST)

test-postgres:                            ## suite on PostgreSQL + Redis
	./scripts/ensure-services.sh
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) $(PYTEST)

checks: lint                              ## Django checks, migrations in step, deploy check, lint
	DJANGO_SETTINGS_MODULE=elearn.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=elearn.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=elearn.settings.production DJANGO_SECRET_KEY=ci-only-$$(head -c 64 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  DJANGO_ALLOWED_HOSTS=elearn.example $(BIN)/python manage.py check --deploy --fail-level WARNING

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages:                                 ## refresh and compile the English catalogue
	cd elearn && ../$(BIN)/django-admin makemessages -l en --ignore='.venv/*' && ../$(BIN)/django-admin compilemessages

clean:
	rm -rf .test-db-* .test-media test-artifacts staticfiles bench/results
