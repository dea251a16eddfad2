# Two commands for a newcomer: `make run` and `make test`. Both create .venv and install
# requirements.txt when it is missing or older than requirements.txt.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench sample clean

$(STAMP): requirements.txt
	@command -v $(PY) >/dev/null 2>&1 || { echo "Python 3.11 is needed ($(PY) not found); set PY=..."; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check -q -r requirements.txt
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/streamlit run app.py --server.headless true --browser.gatherUsageStats false

test: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check zq_land app.py ui tests benchmarks tools
	$(BIN)/mypy zq_land ui app.py

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run
	$(BIN)/python -m benchmarks.bench_store
	$(BIN)/python -m benchmarks.bench_sweep
	$(BIN)/python -m benchmarks.bench_timeline
	$(BIN)/python -m benchmarks.bench_determinism

sample: $(STAMP)
	$(BIN)/python -m tools.make_sample

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache out test-output
