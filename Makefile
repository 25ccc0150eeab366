# Voxpop developer and CI entry points.
#
#   make demo            run the demo newsroom on SQLite (data in ./var)
#   make test            set up a fresh Debian machine and run every test job (what .ci/run does)
#   make test-sqlite     unit + HTTP suite on SQLite
#   make test-postgres   the same suite on PostgreSQL and Redis (starts them if needed)
#   make test-browser    the Playwright suite on Debian's Chromium
#
# The PostgreSQL job's URLs can be overridden, e.g. `make test-postgres PG_URL=postgres://...`.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PYTEST := $(VENV)/bin/pytest
CHROMIUM := /usr/bin/chromium

PG_URL ?= postgres://postgres@127.0.0.1:5432/voxpop
PG_REDIS_URL ?= redis://127.0.0.1:6379/15

export PIP_DISABLE_PIP_VERSION_CHECK := 1

# Each job decides its own database: an outer DATABASE_URL must not turn the SQLite job into
# something else.
CLEAN_ENV := env -u DATABASE_URL -u REDIS_URL -u VOXPOP_TEST_REQUIRE_DB
JOB_SQLITE := $(CLEAN_ENV) $(PYTEST) tests --ignore=tests/e2e
JOB_POSTGRES := $(CLEAN_ENV) DATABASE_URL=$(PG_URL) REDIS_URL=$(PG_REDIS_URL) VOXPOP_TEST_REQUIRE_DB=postgresql \
	$(PYTEST) tests --ignore=tests/e2e
JOB_BROWSER := $(CLEAN_ENV) $(PYTEST) tests/e2e

.PHONY: demo test test-sqlite test-postgres test-browser install install-test services chromium nginx \
	job-sqlite job-postgres job-browser

demo: install
	$(VENV)/bin/voxpop demo

# Runs all three jobs even when one fails, prints one line per job, fails if any failed.
test: install-test chromium nginx services
	@failed=0; summary=""; \
	for job in sqlite postgres browser; do \
		echo; echo "==> test job: $$job"; \
		start=$$(date +%s); \
		if $(MAKE) --no-print-directory job-$$job; then result=passed; else result=FAILED; failed=1; fi; \
		summary+=$$(printf '%-9s %-7s %4ss' "$$job" "$$result" "$$(( $$(date +%s) - start ))")$$'\n'; \
	done; \
	echo; echo "Test jobs:"; printf '%s' "$$summary"; \
	exit $$failed

test-sqlite: install-test nginx
	$(JOB_SQLITE)

test-postgres: install-test nginx services
	$(JOB_POSTGRES)

test-browser: install-test chromium
	$(JOB_BROWSER)

# The jobs alone, without setup: `make test` runs these after setting up once.
job-sqlite:
	$(JOB_SQLITE)

job-postgres:
	$(JOB_POSTGRES)

job-browser:
	$(JOB_BROWSER)

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Stamps: reinstall when pyproject.toml changes; the editable install picks up code changes itself.
$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(VENV)/bin/pip install -e '.[test]'
	touch $@ $(VENV)/.installed

services:
	scripts/services-up

# Debian's Chromium; Playwright's own browser download is never used.
chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium; \
	fi

# Debian's nginx (and openssl for a test certificate): tests/deploy runs deploy/nginx/voxpop.conf.
nginx:
	@if { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; } || ! command -v openssl >/dev/null; then \
		echo "Installing Debian's nginx for the deployment tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends nginx-light openssl; \
	fi

# Speed of the moderation queue with 100,000 pending comments on PostgreSQL (bench/README.md).
# Recreates its own database voxpop_bench; about two minutes. Never part of `make test`.
.PHONY: bench-queue
bench-queue: install services
	$(CLEAN_ENV) $(VENV)/bin/python bench/queue_bench.py

# Speed of scoring one comment (routing, every signal, the classifier) in 8 desk languages, and the
# submission path with scoring on and off (bench/README.md). SQLite in a throwaway data dir; about
# six minutes. Never part of `make test`.
.PHONY: bench-scoring
bench-scoring: install
	$(CLEAN_ENV) $(VENV)/bin/python bench/scoring_bench.py

# Speed and peak memory of `voxpop import disqus` on generated 100,000-, 300,000- and
# 1,000,000-comment Disqus exports, each into a fresh SQLite database in a throwaway data dir
# (bench/README.md). Sizes that would take longer than about 14 minutes are skipped and estimated.
# Half an hour or more on 2 cores. Never part of `make test`.
.PHONY: bench-import
bench-import: install
	$(CLEAN_ENV) $(VENV)/bin/python bench/import_bench.py

# A bounded flood of reader submissions: 300 a second for 60 s from 290 addresses on 127.0.0.0/8,
# beside two well-behaved readers, against `voxpop serve` on SQLite with the rate-limit counters in
# Redis database 14 (bench/README.md). Loopback only; about three minutes. Never part of `make test`.
.PHONY: bench-flood
bench-flood: install services
	$(CLEAN_ENV) $(VENV)/bin/python bench/flood_bench.py

# Voxpop and Isso 0.14.0 side by side: thread reads and comment submissions under wrk, server and
# load generator on different cores, Voxpop also behind deploy/nginx/voxpop.conf and on PostgreSQL +
# Redis, with nginx serving the same bytes as the ceiling (bench/README.md). Installs wrk, nginx
# (apt-get) and Isso (bench/.isso-venv) if missing; recreates the database voxpop_compare and
# empties Redis database 12. About six minutes. Never part of `make test`.
.PHONY: bench-compare
bench-compare: install services
	$(CLEAN_ENV) $(VENV)/bin/python bench/compare/run.py

# The fault scenarios of tests/faults, a minute of load each: PostgreSQL restarted and killed, Redis
# stopped and hung, workers killed, SQLite on a full tmpfs (root), with the "nothing lost" check
# (bench/README.md, "Faults"). Private PostgreSQL and Redis instances on free ports; the shared ones
# are never touched. About eight minutes. Never part of `make test`.
.PHONY: bench-faults
bench-faults: install
	$(CLEAN_ENV) $(VENV)/bin/python bench/faults/run.py
