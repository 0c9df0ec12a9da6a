# The two commands: `make run` and `make test`. See README.md.
PYTHON ?= python3.11
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
# The links the portal sends (pushes, e-mails) point at the address `make run` serves.
RUN_SITE_URL := $(if $(SITE_URL),$(SITE_URL),http://127.0.0.1:$(PORT))
# `make test` runs in parallel processes (pytest-xdist) and in random order (pytest-randomly
# prints its seed: replay a failure with PYTEST_ARGS="-p randomly --randomly-seed=N").
TEST_WORKERS ?= 2
# `make test` runs the whole suite against the real services; these are the local defaults.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/portal
TEST_REDIS_URL ?= redis://127.0.0.1:6379/15

.PHONY: run install migrate demo test test-fast lint bench bench-import bench-web bench-api bench-reach bench-draft worker clean

$(VENV)/.installed: pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11 ($(PYTHON)) / Python 3.11 is required"; exit 1; }
	[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

demo: migrate
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py load_demo_city

run: demo
	@$(PY) manage.py demo_banner --port $(PORT)
	SITE_URL=$(RUN_SITE_URL) $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The quick loop: the embedded default (SQLite, eager tasks), without the tests that need real services
# and without the far-day re-runs of tests/test_any_day.py (three more passes of most of the suite;
# `make test` has them, and PORTAL_TEST_TODAY=… make test-fast runs this loop on another day).
test-fast: install
	env -u DATABASE_URL -u REDIS_URL $(PY) -m pytest -m "not services and not browser and not postgres" \
		--ignore tests/test_any_day.py $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .

bench: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		sh -c '$(PY) manage.py database_create && $(PY) manage.py bench_matching $(BENCH_ARGS)'

bench-import: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} \
		sh -c '$(PY) manage.py database_create && $(PY) manage.py bench_import $(BENCH_ARGS)'

bench-web: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		sh -c '$(PY) manage.py database_create && $(PY) manage.py bench_web $(BENCH_ARGS)'

bench-api: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} REDIS_URL=$${REDIS_URL:-$(TEST_REDIS_URL)} \
		sh -c '$(PY) manage.py database_create && $(PY) manage.py bench_api $(BENCH_ARGS)'

bench-reach: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/portal_bench} \
		sh -c '$(PY) manage.py database_create && $(PY) manage.py policies_reach_bench $(BENCH_ARGS)'

# The criteria drafter's accuracy on the hand-labelled corpus of real policy clauses (no database needed).
bench-draft: install
	$(PY) manage.py bench_draft $(BENCH_ARGS)

worker: install
	$(VENV)/bin/celery -A portal worker -l info --concurrency 2

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles var
