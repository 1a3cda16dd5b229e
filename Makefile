# Two commands on a fresh machine: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench clean install browser

$(STAMP): pyproject.toml adapters/salesforce/pyproject.toml adapters/hubspot/pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip setuptools wheel
	$(BIN)/python -m pip install -q -e ".[dev,postgres]" -e adapters/salesforce -e adapters/hubspot
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/cxsync demo

lint: $(STAMP)
	$(BIN)/ruff check cxsync adapters tests bench
	$(BIN)/ruff format --check cxsync adapters tests bench

typecheck: $(STAMP)
	$(BIN)/mypy cxsync adapters/files/cxsync_files adapters/salesforce/cxsync_salesforce adapters/hubspot/cxsync_hubspot

# The HTML report test renders the report in headless Chromium (Debian's package).
browser:
	@command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null 2>&1 || \
	    echo "note: could not install chromium; the report rendering test will say so"; }

unit: $(STAMP) browser
	$(BIN)/python -m pytest -n 2 -q

test: lint typecheck unit

bench: $(STAMP)
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) build dist *.egg-info .cxsync demo-output
