# A newcomer needs two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
export SAM_CLI_TELEMETRY := 0

.PHONY: setup run test lint validate scan fuzz build bench clean

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; the stamp is written last, so a failed install retries.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/voip-rooms serve --port $(PORT)

test: setup
	$(BIN)/pytest

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: setup
	$(BIN)/sam validate --lint

# Checkov keeps its own environment: its pins conflict with aws-sam-cli's.
SCAN_VENV := .venv-scan
CHECKOV_VERSION := 3.3.30

$(SCAN_VENV)/.installed:
	@test -x $(SCAN_VENV)/bin/python || $(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet checkov==$(CHECKOV_VERSION)
	@touch $@

# The template's security scan: every finding fixed or skipped with its reason beside the resource.
scan: $(SCAN_VENV)/.installed
	$(SCAN_VENV)/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

# Schemathesis keeps its own environment too; it drives the real local server from openapi.json.
FUZZ_VENV := .venv-fuzz
SCHEMATHESIS_VERSION := 4.32.5

$(FUZZ_VENV)/.installed:
	@test -x $(FUZZ_VENV)/bin/python || $(PYTHON) -m venv $(FUZZ_VENV)
	$(FUZZ_VENV)/bin/python -m pip install --quiet schemathesis==$(SCHEMATHESIS_VERSION)
	@touch $@

# Schema fuzzing (docs/SECURITY.md): bounded in time; FUZZ_SEED and FUZZ_EXAMPLES vary it.
fuzz: setup $(FUZZ_VENV)/.installed
	bash tests/fuzz/run.sh $(FUZZ_VENV)/bin/schemathesis

# sam build needs the function's runtime (python3.13) on PATH; pyenv provides it beside the default.
build: setup
	PYENV_VERSION="$$(pyenv version-name 2>/dev/null || true):3.13" $(BIN)/sam build

# The performance budgets (docs/PERFORMANCE.md), measured against their floors on the function's runtime.
bench: setup
	PYENV_VERSION="$$(pyenv version-name 2>/dev/null || true):3.13" $(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(SCAN_VENV) $(FUZZ_VENV) .aws-sam bench/.build .pytest_cache .mypy_cache .ruff_cache .hypothesis
