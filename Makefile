# Open City. The two commands: `make run` and `make test`. Everything else is a helper.
.PHONY: run run-prod test lint setup setup-dev stop bench load messages backup restore schema

run:            ## Install what is missing, start the database, migrate, load the demo, serve :8000
	@bash scripts/run.sh

run-prod:       ## The production settings on 127.0.0.1: gunicorn + WhiteNoise, task workers, sweep, pruning
	@bash scripts/run_prod.sh

backup:         ## pg_dump (custom format) + media into var/backups/<UTC time>/
	@bash scripts/backup.sh

restore:        ## Restore a backup into a fresh database: make restore FROM=var/backups/<time>
	@bash scripts/restore.sh "$(FROM)"

test:           ## Install what is missing and run the whole test suite on a throwaway PostGIS
	@bash scripts/bootstrap.sh dev
	@.venv/bin/python -m pytest

lint:           ## ruff and the import contracts (.importlinter); the migrations check runs in the test suite
	@bash scripts/bootstrap.sh dev
	@.venv/bin/ruff check .
	@.venv/bin/lint-imports --no-logo --no-cache

setup:          ## Only install (Debian packages, virtualenv)
	@bash scripts/bootstrap.sh runtime

setup-dev:
	@bash scripts/bootstrap.sh dev

stop:           ## Stop the project's own PostgreSQL cluster
	@.venv/bin/python -m opencity.localdb stop

bench:          ## The whole product on N (1,000,000) generated issues, then the map on SMALL (100,000): app vs bare SQL vs tipg
	@bash scripts/bootstrap.sh runtime
	@.venv/bin/python scripts/bench.py $(if $(N),--count $(N)) $(if $(SMALL),--small $(SMALL)) $(if $(REPEAT),--repeat $(REPEAT)) $(if $(SECONDS),--seconds $(SECONDS))

.PHONY: bench-smoke bench-dashboard bench-stop
bench-smoke:    ## make bench on a few thousand issues, a few repeats: what CI runs so the benchmark never breaks unseen
	@$(MAKE) --no-print-directory bench N=3000 SMALL=1500 REPEAT=3 SECONDS=2

bench-dashboard: ## Every dashboard figure on N generated issues, pre-aggregated (and LIVE=1: against the live computation)
	@bash scripts/bootstrap.sh runtime
	@.venv/bin/python scripts/bench_dashboard.py $(if $(N),--count $(N)) $(if $(LIVE),--live)

bench-stop:     ## Stop the benchmarks' PostgreSQL cluster (var/bench-pg)
	@.venv/bin/python scripts/bench_dashboard.py --stop

.PHONY: bench-requests
bench-requests: ## Small answers, Open311 pages and creates/s through gunicorn against their bare SQL (own database under var/bench-pg)
	@bash scripts/bootstrap.sh runtime
	@.venv/bin/python scripts/bench_requests.py $(if $(COUNT),--count $(COUNT)) $(if $(REPEAT),--repeat $(REPEAT))

load:           ## One minute of citizens and executors (locust) against make run-prod (scripts/run_prod.sh) on 127.0.0.1 with the demo data
	@bash scripts/bootstrap.sh dev
	@.venv/bin/python scripts/loadtest.py $(if $(DURATION),--duration $(DURATION)) $(if $(USERS),--users $(USERS))

messages:       ## Refresh the Ukrainian translation catalogue from the code and templates
	@.venv/bin/python manage.py makemessages -l uk --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles

schema:         ## Regenerate the committed OpenAPI schema (docs/openapi.yaml); the suite fails when it is stale
	@DJANGO_SETTINGS_MODULE=opencity.settings.test .venv/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml
