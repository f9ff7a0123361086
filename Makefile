# elearn: the README names these targets. `make demo` and `make test` are the two set-up commands.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
PG_URL  ?= postgres://postgres@127.0.0.1:5432/test
REDIS   ?= redis://127.0.0.1:6379/0
PYTEST  := $(BIN)/pytest -q -p no:randomly
# Where `make serve` / `make demo` listen. This machine only by default; `make demo HOST=0.0.0.0` opens the server to
# the LAN (set on the command line: a HOST variable in the environment is ignored on purpose).
HOST    = 127.0.0.1
PORT    = 8000

.PHONY: install install-dev demo serve test test-sqlite test-postgres checks lint format messages clean \
        reliability audit screenshots bench bench-bank bench-exam bench-results bench-study bench-live bench-live-large bench-fanout bench-reports bench-evidence import-laws

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

install: $(BIN)/python                    ## runtime dependencies into .venv
	$(BIN)/pip install -q -r requirements.txt

install-dev: $(BIN)/python                ## test dependencies, Chromium and CJK fonts
	$(BIN)/pip install -q -r requirements-dev.txt
	./scripts/install-system-deps.sh
	npm ci --prefix tools/axe --no-audit --no-fund --loglevel=error

demo: install                             ## install, migrate, seed demo content, serve on 127.0.0.1 (HOST=0.0.0.0: LAN)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo $(if $(LAWS),--laws $(LAWS),)
	$(MAKE) serve

# On 127.0.0.1: development settings as they are (DEBUG pages, the repository's key, local host names only).
# Opened to the LAN (any other HOST): DEBUG off, a fresh random key per start (unless DJANGO_DEBUG / DJANGO_SECRET_KEY
# are set), and this machine's addresses and name as the allowed hosts (unless DJANGO_ALLOWED_HOSTS is set).
serve:                                    ## daphne: HTTP + WebSocket on 127.0.0.1:8000 (HOST=0.0.0.0: the LAN)
ifeq ($(HOST),127.0.0.1)
	@echo "Serving http://127.0.0.1:$(PORT)/ to this machine only. To open it to the LAN: make demo HOST=0.0.0.0 (or make serve HOST=0.0.0.0)."
	$(BIN)/daphne -b $(HOST) -p $(PORT) elearn.asgi:application
else
	@echo "Serving on $(HOST):$(PORT), open to the LAN: anyone on the network can reach it, and the demo accounts share"
	@echo "one published password. DEBUG is off; allowed hosts: $${DJANGO_ALLOWED_HOSTS:-this machine's addresses and name}."
	DJANGO_DEBUG="$${DJANGO_DEBUG:-0}" \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-$$(for a in $$(hostname -I 2>/dev/null); do case $$a in *:*) printf '[%s],' $$a;; *) printf '%s,' $$a;; esac; done)$$(hostname)}" \
	  $(BIN)/daphne -b $(HOST) -p $(PORT) elearn.asgi:application
endif

test: install-dev checks                  ## checks and lint, then the suite on both backends (one summary line each)
	BIN=$(BIN) PG_URL=$(PG_URL) REDIS=$(REDIS) ./scripts/run-suite.sh sqlite postgres

test-sqlite:                              ## suite on the embedded default (SQLite + in-memory layer)
	BIN=$(BIN) ./scripts/run-suite.sh sqlite

test-postgres:                            ## suite on PostgreSQL + Redis
	BIN=$(BIN) PG_URL=$(PG_URL) REDIS=$(REDIS) ./scripts/run-suite.sh postgres

audit:                                    ## known vulnerabilities in the installed dependencies (pip-audit)
	./scripts/audit-deps.sh

# The reliability and security suite (issue 8) on PostgreSQL + Redis, with the slow and disruptive cases (a PostgreSQL
# restart, the 300-player reconnect storm) and more fuzzing examples; prints the table of cases, failures, lost answers,
# server errors and access violations. The fast part of it runs in every `make test`.
RELIABILITY_TESTS := tests/reliability tests/org/test_access.py tests/org/test_accounts.py tests/test_security_headers.py \
  tests/quizzes/test_exam_races.py tests/quizzes/test_exam_leakage.py tests/quizzes/test_competition_race.py \
  tests/quizzes/test_exam_integrity.py tests/quizzes/test_host_actions.py tests/org/test_role_flags.py \
  tests/org/test_login_security.py tests/org/test_wagtail_admin_scope.py tests/test_private_documents.py \
  tests/test_api_error_shape.py tests/test_demo_safety.py
reliability:                              ## fault injection, fuzzing, access matrix, hostile input: a table at the end
	./scripts/ensure-services.sh
	mkdir -p test-artifacts
	DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS) ELEARN_RELIABILITY=1 FUZZ_EXAMPLES=$${FUZZ_EXAMPLES:-60} TEST_RUN_ID=reliability \
	  $(PYTEST) $(RELIABILITY_TESTS) -o junit_family=xunit1 --junitxml=test-artifacts/reliability.xml; \
	  status=$$?; $(BIN)/python scripts/reliability_report.py test-artifacts/reliability.xml && exit $$status

# The screen walk (issue 15): seeds the demo into its own test database, serves it, signs in as staff, officer and
# district admin, and writes test-artifacts/screenshots/index.html (a contact sheet of every page and state, with
# what the machine checks found on each) and the README's pictures in docs/screenshots/. Fails on any finding.
screenshots: install-dev                  ## every screen as PNGs + contact sheet (test-artifacts/screenshots/index.html), checked
	env -u DATABASE_URL -u REDIS_URL TEST_RUN_ID=screenshots ELEARN_SCREENSHOTS=1 $(PYTEST) -s tests/e2e/test_screenshots.py

checks: lint                              ## Django checks, migrations in step, deploy check, lint
	DJANGO_SETTINGS_MODULE=elearn.settings.test $(BIN)/python manage.py check
	DJANGO_SETTINGS_MODULE=elearn.settings.test $(BIN)/python manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=elearn.settings.production DJANGO_SECRET_KEY=ci-only-$$(head -c 64 /dev/urandom | base64 | tr -dc a-zA-Z0-9) \
	  DJANGO_ALLOWED_HOSTS=elearn.example $(BIN)/python manage.py check --deploy --fail-level WARNING

lint:                                     ## ruff, and the import layers (import-linter contracts in .importlinter)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format:
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

messages:                                 ## refresh the English catalogue (fill new msgstr entries), then compile it and the zh_Hans one (Django's and Wagtail's missing strings, by hand)
	$(BIN)/python manage.py makemessages -l en --no-obsolete --no-wrap --ignore='.venv/*' --ignore='*/migrations/*' \
	  --ignore='bench/*' --ignore='tests/*' --ignore='staticfiles/*'
	msgfmt --check --statistics -o /dev/null elearn/locale/en/LC_MESSAGES/django.po
	$(BIN)/python manage.py compilemessages -l en -l zh_Hans --ignore='.venv' --ignore='bench' --ignore='tests'

import-laws:                              ## import the five reference statutes as study modules
	$(BIN)/python manage.py import_law ../shared/data/laws

# Benchmarks: each prints a table beside a same-run baseline. Run them on a quiet machine.
bench: bench-bank bench-exam bench-results bench-study bench-reports bench-fanout

bench-bank:                               ## import/export of a 10,000-question workbook; 10,000-question .xls and .docx imports
	$(BIN)/python bench/bench_bank.py
	$(BIN)/python bench/bench_bank_formats.py

bench-exam:                               ## N candidates start, save and submit over HTTP (SQLite: 1 process; PostgreSQL: 2)
	./scripts/ensure-services.sh
	$(BIN)/python bench/bench_exam.py --candidates 1000 --backends sqlite
	$(BIN)/python bench/bench_exam.py --candidates 1000 --backends postgres --processes 2

bench-results:                            ## officers' results, 未参考名单 and exports for 5,000 staff
	$(BIN)/python bench/bench_exam_results.py

bench-study:                              ## lesson heartbeats and the officers' progress report
	$(BIN)/python bench/bench_study.py --users 1000 --beats 3

bench-reports:                            ## campaign dashboard and workbook, 5,000 staff and 100,000 answers
	$(BIN)/python bench/bench_reports.py

bench-fanout:                             ## one broadcast to N local consumers vs Channels group_send
	$(BIN)/python bench/bench_fanout.py --sizes 500,1000,2000,4000
	./scripts/ensure-services.sh
	REDIS_URL=$(REDIS) $(BIN)/python bench/bench_fanout.py --sizes 500,1000,2000,4000

bench-live:                               ## live game with N real WebSocket players vs a bare websockets server (~10 min)
	./scripts/ensure-services.sh
	$(BIN)/python bench/bench_live.py --players 500,1000,2000 --repeat 3 --backends memory,redis

bench-live-large:                         ## 5,000 players on one process; 10,000 across 2 processes on Redis, 5 questions (~15 min)
	./scripts/ensure-services.sh
	$(BIN)/python bench/bench_live.py --players 5000 --repeat 3 --backends memory --out bench/results/bench_live_5000.json
	$(BIN)/python bench/bench_live.py --players 10000 --repeat 3 --backends redis --processes 2 --questions 5 --out bench/results/bench_live_10000.json

bench-evidence:                           ## 2,000 staff hand in a campaign task with a ~300 KB photo within 10 min vs a bare upload (~25 min)
	./scripts/ensure-services.sh
	$(BIN)/python bench/bench_evidence.py --requests 2000 --duration 600 --processes 2

clean:
	rm -rf .test-db-* .test-media test-artifacts staticfiles bench/results
