# Every target makes .venv on first use, so on a fresh machine with Python 3.11
# `make run` and `make test` are the whole set-up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench clean system-deps

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,lint,bench]'
	touch $(STAMP)

# Qt needs a few system libraries even offscreen (EGL, fontconfig, xkbcommon);
# PDF checks use poppler. Installed only when missing and only when we can.
system-deps:
	@sh scripts/system-deps.sh

run: $(STAMP) system-deps
	$(BIN)/monitor-app

# A fresh demo clinic each time, so its countdowns start from now; bedside monitors on,
# with the simulator sending readings for chairs 1, 2, 3 and the empty chair 5 until
# the app exits (its ACKs in demo-data/monitor_sim.log).
DEMO_MONITOR_PORT ?= 2575
demo: $(STAMP) system-deps
	@mkdir -p demo-data
	@rm -f demo-data/demo.db demo-data/demo.db-wal demo-data/demo.db-shm demo-data/demo.db.keys demo-data/demo.db.head
	@rm -rf demo-data/archive demo-data/backups demo-data/monitor_sim.log
	$(BIN)/monitor-app demo --db demo-data/demo.db --monitors $(DEMO_MONITOR_PORT)
	$(BIN)/python scripts/with_simulator.py --log demo-data/monitor_sim.log \
	  --port $(DEMO_MONITOR_PORT) --devices MON-01,MON-02,MON-03,MON-05 --every 15 --speed 10 \
	  -- $(BIN)/monitor-app --db demo-data/demo.db

lint: $(STAMP)
	$(BIN)/ruff check monitor_app tests benchmarks scripts main.py
	$(BIN)/lint-imports --no-cache
	$(BIN)/mypy
	@echo "type: ignore comments in monitor_app: $$(grep -r 'type: ignore' monitor_app | wc -l)"

test: $(STAMP) system-deps lint
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q

bench: $(STAMP) system-deps
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) demo-data .pytest_cache .hypothesis
