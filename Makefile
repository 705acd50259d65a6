# Quick start:  make run   (set up and serve the bot; sandbox when no Zalo credentials are set;
#                           another port: make run PORT=8090)
#               make test  (set up, lint and type-check (ruff, mypy), run the test suite)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run chat test bench clean

$(BIN)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

run: $(BIN)/.installed
	$(BIN)/python -m bot serve $(if $(PORT),--port $(PORT))

chat: $(BIN)/.installed
	$(BIN)/python -m bot chat

test: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/python -m bot kb check
	$(BIN)/python -m pytest -q

bench: $(BIN)/.installed
	$(BIN)/python bench/webhook_bench.py
	$(BIN)/python bench/matcher_bench.py
	$(BIN)/python bench/campaign_bench.py
	$(BIN)/python bench/matcher_decision.py
	$(BIN)/python bench/matcher_scale.py
	$(BIN)/python bench/matcher_overhead.py
	$(BIN)/python bench/engine_wait.py
	$(BIN)/python bench/report_bench.py
	$(BIN)/python bench/input_limits_bench.py

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
