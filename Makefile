# SMRC: `make run` sets up and serves the demo; `make test` sets up and runs every test.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run dev prod test lint fmt check bench bench-sla bench-snippets bench-webhooks bench-load bench-faults bench-backup bench-smoke messages clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) is needed (Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

run: export LOG_FORMAT ?= plain
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo ""
	@echo "SMRC is starting on http://127.0.0.1:$(PORT)/"
	@echo "Demo logins (password smrc-demo): admin, supervisor, operator, manager (brand A), operator2 (brand B)"
	@echo "Live mentions: $(PY) manage.py simulate_mentions --rate 1 --duration 600"
	@echo ""
	@trap 'kill 0' INT TERM EXIT; \
	if [ -n "$$REDIS_URL" ]; then \
		$(VENV)/bin/celery -A smrc worker -B --loglevel=INFO --concurrency=2 & \
	else \
		$(PY) manage.py run_periodic & \
	fi; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

dev: run

# The production stack on PostgreSQL and Redis (DATABASE_URL and REDIS_URL required): checks, migrates, collects
# the static files, then runs the Procfile under honcho (gunicorn, a Celery worker per queue, beat). See smrc/prod.py.
prod: venv
	$(PY) -m smrc.prod

test: venv
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

fmt: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check: venv
	$(PY) manage.py makemigrations --check --dry-run
	DEBUG=false SECRET_KEY=$$($(PY) -c "import secrets; print(secrets.token_urlsafe(50))") SECURE_SSL=true \
		ALLOWED_HOSTS=smrc.example.com $(PY) manage.py check --deploy --fail-level WARNING

messages: venv
	$(PY) manage.py makemessages -l id --no-obsolete --no-location -i "var/*" -i "bench/*" -i "tests/*" -i "docs/*"
	$(PY) manage.py compilemessages -l id --ignore=.venv --ignore=var

# The benchmark loads a million tickets into its own PostgreSQL database (created if missing), never DATABASE_URL.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smrc_bench
bench: venv
	DATABASE_URL=$(BENCH_DATABASE_URL) $(PY) bench/pages.py $(BENCH_ARGS)

BENCH_REPORTS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smrc_bench_reports
bench-reports: venv
	DATABASE_URL=$(BENCH_REPORTS_DATABASE_URL) $(PY) bench/reports.py $(BENCH_ARGS)

BENCH_SLA_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smrc_bench_sla
bench-sla: venv
	psql "$(BENCH_SLA_DATABASE_URL:/smrc_bench_sla=/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname='smrc_bench_sla'" | grep -q 1 \
		|| psql "$(BENCH_SLA_DATABASE_URL:/smrc_bench_sla=/postgres)" -c "CREATE DATABASE smrc_bench_sla"
	DATABASE_URL=$(BENCH_SLA_DATABASE_URL) $(PY) bench/sla_scan.py $(BENCH_ARGS)

BENCH_SNIPPETS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smrc_bench_snippets
bench-snippets: venv
	psql "$(BENCH_SNIPPETS_DATABASE_URL:/smrc_bench_snippets=/postgres)" -tAc "SELECT 1 FROM pg_database WHERE datname='smrc_bench_snippets'" | grep -q 1 \
		|| psql "$(BENCH_SNIPPETS_DATABASE_URL:/smrc_bench_snippets=/postgres)" -c "CREATE DATABASE smrc_bench_snippets"
	DATABASE_URL=$(BENCH_SNIPPETS_DATABASE_URL) $(PY) bench/snippets.py $(BENCH_ARGS)

# Webhook acceptance and processing with one Celery worker; bench/webhooks.py creates its database if missing.
BENCH_WEBHOOKS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/smrc_bench_webhooks
BENCH_WEBHOOKS_REDIS_URL ?= redis://127.0.0.1:6379/9
bench-webhooks: venv
	DATABASE_URL=$(BENCH_WEBHOOKS_DATABASE_URL) REDIS_URL=$(BENCH_WEBHOOKS_REDIS_URL) $(PY) bench/webhooks.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var

# Every benchmark above, end to end at a small size, on fresh databases it creates and drops (bench/smoke.py);
# fails if any benchmark breaks. CI runs it. BENCH_REDIS_URL is emptied (webhooks, load).
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/9
bench-smoke: venv
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(PY) bench/smoke.py $(BENCH_ARGS)

# The production stack under a shift of 57 people and a burst of 20,000 mentions (bench/load.py: its own database
# smrc_load and Redis db 11, emptied first; gunicorn on BENCH_LOAD_PORT). BENCH_ARGS e.g. --web-workers 2.
BENCH_LOAD_PORT ?= 8100
bench-load: venv
	$(PY) bench/load.py --port $(BENCH_LOAD_PORT) $(BENCH_ARGS)

# The same under faults (a worker killed mid-batch, Redis and PostgreSQL restarted) on a Redis and a PostgreSQL
# cluster of its own (ports 6380 and 5433), with a fake X API counting every post.
bench-faults: venv
	$(PY) bench/faults.py --port $(BENCH_LOAD_PORT) $(BENCH_ARGS)

# pg_dump of the load database, pg_restore into a fresh one, and the app checked on the copy.
bench-backup: venv
	$(PY) bench/backup.py $(BENCH_ARGS)
