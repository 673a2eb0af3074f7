# Livsvillkor — `make demo` serves the Borås demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test test-sqlite test-postgres lint format setup assets messages clean serve lock

$(VENV)/.installed: requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

assets: node_modules/.package-lock.json
	node scripts/build-assets.mjs

messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

setup: $(VENV)/.installed assets messages

demo: setup
	$(BIN)/livsvillkor demo
	$(BIN)/livsvillkor serve --host $(HOST) --port $(PORT)

serve: setup
	$(BIN)/livsvillkor serve --host $(HOST) --port $(PORT)

# The whole suite on SQLite (browser tests included), then the database tests on a throw-away PostgreSQL.
test: setup lint test-sqlite test-postgres

test-sqlite: setup
	$(PY) -m pytest

test-postgres: setup
	LIVSVILLKOR_TEST_POSTGRES=1 $(PY) -m pytest -m "django_db and not browser"

lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Re-pin the lock file from pyproject.toml (needs the package registry).
lock:
	rm -rf build/lockenv && $(PYTHON) -m venv build/lockenv
	build/lockenv/bin/pip install --quiet --upgrade pip
	build/lockenv/bin/pip install --quiet ".[dev]"
	build/lockenv/bin/pip freeze --exclude-editable | grep -v '^livsvillkor' > requirements.lock
	rm -rf build/lockenv

clean:
	rm -rf $(VENV) node_modules var src/livsvillkor/portal/static/vendor
