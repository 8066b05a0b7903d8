PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: setup run serve test lint format bench migrate

## setup: create the virtualenv and install requirements.txt (again whenever it changes)
setup: $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## run: set up, migrate (and the cache table), load the seed, create demo users, serve on http://$(HOST):$(PORT)
##      with the background-job worker beside the server (the Procfile's `worker:`), stopped with it
run: setup
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py migrate --noinput
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py createcachetable
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py load_seed
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py create_demo_users
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py run_jobs & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	DJANGO_DEBUG=$${DJANGO_DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: set up and run the whole test suite (DATABASE_URL selects the database)
test: setup
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## lint: ruff
lint: setup
	$(BIN)/ruff check .

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## bench: on PostgreSQL (BENCH_POSTGRES_URL, default postgres://root@127.0.0.1:5432), at 10k and 1M claims:
##        API latency vs a bare .values() view, then bench/export.py and bench/extraction.py (bench/README.md)
bench: setup
	$(BIN)/python -m bench.run_all --sizes 10k,1m

## bench-quick: the same at 10k claims only
.PHONY: bench-quick
bench-quick: setup
	$(BIN)/python -m bench.run_all --sizes 10k

## train-extractor: install requirements-train.txt (PyTorch CPU, MiniLM's weights) into the venv and retrain the
##                  check-worthiness model in claims/extraction/model/ from ../shared/datasets (or FACTCHECK_DATASETS_DIR)
.PHONY: train-extractor
train-extractor: setup
	$(BIN)/python -m pip install --quiet -r requirements-train.txt
	DJANGO_DEBUG=1 $(BIN)/python scripts/train_checkworthiness.py $(TRAIN_ARGS)
	DJANGO_DEBUG=1 $(BIN)/python manage.py evaluate_extraction

## fuzz-outside: the app under gunicorn on a fresh SQLite file (or FUZZ_DATABASE_URL, which it fills), fuzzed over HTTP by the
##               schemathesis CLI with every check but positive_data_acceptance, anonymous and as a reviewer
.PHONY: fuzz-outside
fuzz-outside: setup
	$(BIN)/python scripts/schemathesis_run.py $(if $(FUZZ_DATABASE_URL),--database-url $(FUZZ_DATABASE_URL)) $(FUZZ_ARGS)
