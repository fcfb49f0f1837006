# Two commands do all the set-up: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
CHROMIUM := /usr/bin/chromium

.PHONY: run test test-fast test-citus citus-packages bench install chromium shell clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

## Start web, worker, beat, embedded PostgreSQL and Redis, with demo data.
run: $(STAMP)
	$(BIN)/python -m moonflow.localstack run

## Run the whole test suite (browser tests drive Debian's Chromium).
test: $(STAMP) chromium
	$(BIN)/python -m moonflow.localstack test $(PYTEST_ARGS)

## The suite without browser tests.
test-fast: $(STAMP)
	$(BIN)/python -m moonflow.localstack test -m "not browser" $(PYTEST_ARGS)

## The Citus cluster's tests: Citus built once from vendor/citus (cached outside the
## clone), a coordinator and two workers on 127.0.0.1 (docs/distribution.md). The subset
## covers every page (walked), tray, import, export, transfer and API path, with real
## Celery workers; browser tests, the 100,000-row downloads and the tests that read no
## table (file parsing, hostile parameters, the search pages' spelling grid) stay on
## `make test`.
CITUS_TESTS := tests/citus tests/test_distribution_rules.py tests/test_visibility.py \
	tests/api tests/transfers tests/imports tests/interactions tests/portfolios tests/jobs \
	tests/followups tests/audit tests/clients/test_tray_[!h]*.py \
	tests/clients/test_payment_orders_*.py \
	tests/clients/test_download_task.py tests/clients/test_download_view.py \
	tests/clients/test_download_worker.py tests/clients/test_record_*.py \
	tests/clients/test_search_box.py tests/clients/test_search_terms.py \
	tests/clients/test_recycle_bin_purge.py \
	tests/clients/test_situation_job.py tests/clients/test_variable_statistics.py \
	tests/test_seed_demo.py

test-citus: $(STAMP) citus-packages
	$(BIN)/python -m moonflow.citusstack test $(CITUS_TESTS) -m "not browser" \
	  --deselect tests/imports/test_values.py --deselect tests/imports/test_reading_bad_files.py \
	  $(PYTEST_ARGS)

CITUS_PACKAGES := build-essential patch postgresql-15 postgresql-server-dev-15 \
	libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev libselinux1-dev libxslt1-dev \
	libpam0g-dev libreadline-dev

citus-packages:
	@if [ ! -f /usr/include/postgresql/15/server/postgres.h ] || ! command -v gcc >/dev/null \
	    || ! command -v patch >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing PostgreSQL 15 and its server headers to build Citus"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(CITUS_PACKAGES) >/dev/null; \
	  else \
	    echo "Building Citus needs: sudo apt-get install $(CITUS_PACKAGES)"; exit 1; \
	  fi; \
	fi

chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Debian's Chromium at $(CHROMIUM): sudo apt-get install chromium"; exit 1; \
	  fi; \
	fi

## All benchmarks, or one with `make bench-<name>`; results in docs/benchmarks.md.
bench: $(STAMP)
	$(BIN)/python -m moonflow.localstack exec $(BIN)/python -m bench all

bench-%: $(STAMP)
	$(BIN)/python -m moonflow.localstack exec $(BIN)/python -m bench $*

shell: $(STAMP)
	$(BIN)/python -m moonflow.localstack exec $(BIN)/python manage.py shell

clean:
	rm -rf $(VENV) .data
