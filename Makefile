# Open City. The two commands: `make run` and `make test`. Everything else is a helper.
.PHONY: run test lint setup setup-dev stop bench messages schema

run:            ## Install what is missing, start the database, migrate, load the demo, serve :8000
	@bash scripts/run.sh

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

bench:          ## Time the dashboard's queries on 1,000,000 generated issues (own database under var/bench-pg)
	@bash scripts/bootstrap.sh runtime
	@.venv/bin/python scripts/bench_dashboard.py $(if $(COUNT),--count $(COUNT))

messages:       ## Refresh the Ukrainian translation catalogue from the code and templates
	@.venv/bin/python manage.py makemessages -l uk --no-obsolete --ignore=.venv --ignore=var --ignore=staticfiles

schema:         ## Regenerate the committed OpenAPI schema (docs/openapi.yaml); the suite fails when it is stale
	@DJANGO_SETTINGS_MODULE=opencity.settings.test .venv/bin/python manage.py spectacular --validate --fail-on-warn --file docs/openapi.yaml
