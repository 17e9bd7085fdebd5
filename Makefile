# Every target installs what it needs; `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
export IDCARD_HOME ?= $(CURDIR)/instance

.PHONY: run test lint bench translations system-deps clean

## run: install, migrate and serve the app on SQLite at http://127.0.0.1:$(PORT)
run: $(VENV)/.installed translations
	$(BIN)/idcard migrate
	$(BIN)/idcard serve --port $(PORT)

## test: install Python, JavaScript and system packages the tests need, then run every test
test: $(VENV)/.installed-test translations system-deps node_modules/.installed
	$(BIN)/python -m pytest -n 2 --dist loadgroup
	node --test tests/js/ static/js/idcard-verifier/test/

## lint: ruff, mypy, and the architecture's import contracts (pyproject.toml)
lint: $(VENV)/.installed-test
	$(BIN)/ruff check idcard idcard_verifier tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

## bench: print the performance figures the issues ask for
bench: $(VENV)/.installed-test translations system-deps
	$(BIN)/python -m bench

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d idcard/translations

system-deps:
	@scripts/install-system-deps chromium poppler-utils wrk
	@command -v node >/dev/null || scripts/install-system-deps nodejs
	@command -v npm >/dev/null || scripts/install-system-deps npm

$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

# The conformance tests' independent COSE library (package.json devDependencies), exactly
# as the lockfile pins it; the verifier itself has no dependencies. package.json pins
# cbor-extract (an optional native part of cbor-x) to 2.2.2: 2.2.3's platform builds were
# never published, which leaves the lockfile incomplete and `npm ci` refusing it.
node_modules/.installed: package.json package-lock.json | system-deps
	npm ci --no-audit --no-fund
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

clean:
	rm -rf $(VENV) .pytest_cache node_modules
