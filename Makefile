# casegraph — the README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA_DIR ?= casegraph-data

.PHONY: demo test lint bench-ingest system-deps clean

system-deps:
	bash scripts/system-deps.sh

$(VENV)/.installed: pyproject.toml
	bash scripts/system-deps.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	bash scripts/system-deps.sh test
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(VENV)/.installed
	$(BIN)/casegraph --data-dir $(DATA_DIR) demo
	$(BIN)/casegraph --data-dir $(DATA_DIR) serve --host 127.0.0.1 --port 8000

# ruff, mypy, and the layers of DESIGN.md as a contract over the import graph
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks demo
	$(BIN)/mypy
	$(BIN)/python -m pytest -q tests/test_layers.py

test: lint
	$(BIN)/python -m pytest

bench-ingest: $(VENV)/.installed-test
	$(BIN)/python benchmarks/ingest.py

clean:
	rm -rf $(VENV) $(DATA_DIR)
