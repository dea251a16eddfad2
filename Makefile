# Two commands for a newcomer: `make run` and `make test`. Both create .venv and install
# requirements.txt when it is missing or older than requirements.txt.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_STAMP := $(VENV)/.installed-bench
#: `make bench PEERS_ARGS=--full` for the whole peers matrix (hours); default about 30-40 minutes
PEERS_ARGS ?=

.PHONY: run test lint bench bench-peers sample clean compile

# The tool's own bytecode, written once: where PYTHONDONTWRITEBYTECODE is set (as on the CI machines here)
# every command would otherwise recompile the ~76 modules it imports (0.35 s for all of zq_land).
compile: $(STAMP)
	@$(BIN)/python -m compileall -q zq_land ui app.py >/dev/null

$(STAMP): requirements.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found); set PY=..."; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

# the benchmarks' own peers (OR-Tools CP-SAT): installed by `make bench` only
$(BENCH_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements-bench.txt \
		|| echo "requirements-bench.txt could not be installed: the CP-SAT column will say 'not installable'"
	touch $(BENCH_STAMP)

run: compile
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

test: compile
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check zq_land app.py ui tests benchmarks tools
	$(BIN)/mypy zq_land ui app.py

bench: compile
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.bench_store
	$(BIN)/python -m benchmarks.bench_sweep
	$(BIN)/python -m benchmarks.bench_timeline
	$(BIN)/python -m benchmarks.bench_determinism
	$(MAKE) bench-peers

bench-peers: $(BENCH_STAMP)
	$(BIN)/python -m benchmarks.bench_peers $(PEERS_ARGS)

sample: $(STAMP)
	$(BIN)/python -m tools.make_sample

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out test-output
