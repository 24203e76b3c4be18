# A newcomer needs two commands: `make run` and `make test`. Both set up .venv first.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 3000
export SAM_CLI_TELEMETRY := 0

.PHONY: setup run test test-under-load lint validate scan fuzz e2e build bench deploy mutation clean

setup: $(STAMP)

# Re-installs only when pyproject.toml changes; the stamp is written last, so a failed install retries.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: setup
	$(BIN)/voip-rooms serve --port $(PORT)

# One test process per core (pytest-xdist); WORKERS=0 runs the suite in this process, in file order.
WORKERS ?= auto
test: setup
	$(BIN)/pytest -n $(WORKERS)

# The whole suite beside BUSY processes that keep a core each at work, RUNS times in a row (docs/TESTING.md):
# what a shared CI runner or a busy laptop does to it. NICE=19 also lowers the suite's own priority.
BUSY ?= 2
RUNS ?= 3
test-under-load: setup
	NICE=$(or $(NICE),0) bash tests/load/run.sh $(BUSY) $(RUNS) -n $(WORKERS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

validate: setup
	$(BIN)/sam validate --lint

# Checkov, schemathesis and mutmut each keep their own environment: their pins conflict with aws-sam-cli's.
# So does Playwright, which end-to-end tests use only as a driver of Debian's Chromium.
TOOL_scan := checkov==3.3.30
TOOL_fuzz := schemathesis==4.32.5
TOOL_e2e := playwright==1.65.2 pytest==9.2.0
# The accessibility engine the Calls page's browser tests inject (from the npm registry, never a CDN).
AXE_CORE_VERSION := 4.14.1
# mutmut runs the tests in its own process, so the project and its test dependencies go beside it.
TOOL_mutation := mutmut==3.8.1 -e '.[test]'
.venv-mutation/.installed: pyproject.toml
# A new pin of a browser-test tool installs it where the environment exists already.
.venv-e2e/.installed: Makefile

.venv-%/.installed:
	@test -x .venv-$*/bin/python || $(PYTHON) -m venv .venv-$*
	.venv-$*/bin/python -m pip install --quiet $(TOOL_$*)
	@touch $@

# The template's security scan: every finding fixed or skipped with its reason beside the resource.
scan: .venv-scan/.installed
	.venv-scan/bin/checkov -f template.yaml --framework cloudformation --compact --quiet --skip-download

# Schema fuzzing of the real local server from openapi.json (docs/SECURITY.md): bounded in time;
# FUZZ_SEED and FUZZ_EXAMPLES vary it.
fuzz: setup .venv-fuzz/.installed
	bash tests/fuzz/run.sh .venv-fuzz/bin/schemathesis

# The Swagger UI and the Calls page of `voip-rooms serve` in a real headless Chromium: Debian's package,
# installed here when missing (never a browser download); the screenshots land in e2e-artifacts/.
# The Calls page's tests are pytest's, in the tool's environment, without the project's conftest.py.
e2e: setup .venv-e2e/.installed .venv-e2e/axe-core-$(AXE_CORE_VERSION)
	@command -v chromium >/dev/null || (apt-get update && apt-get install -y chromium)
	.venv-e2e/bin/python -m tests.e2e.swagger_ui
	.venv-e2e/bin/python -m pytest -p no:cacheprovider --confcutdir=tests/e2e tests/e2e/calls_page.py

.venv-e2e/axe-core-$(AXE_CORE_VERSION): | .venv-e2e/.installed
	npm install --silent --no-audit --no-fund --prefix .venv-e2e axe-core@$(AXE_CORE_VERSION)
	@touch $@

# sam build needs the function's runtime (python3.13) on PATH; pyenv provides it beside the default.
build: setup
	PYENV_VERSION="$$(pyenv version-name 2>/dev/null || true):3.13" $(BIN)/sam build

# Deploys the built stack with one environment of samconfig.toml (default: the development stack).
ENV ?= default
deploy: build
	$(BIN)/sam deploy --config-env $(ENV)

# The performance budgets (docs/PERFORMANCE.md), measured against their floors on the function's runtime.
bench: setup
	PYENV_VERSION="$$(pyenv version-name 2>/dev/null || true):3.13" $(BIN)/python -m bench

# Mutation testing of the function package (docs/TESTING.md): slow (about two hours on two cores),
# so neither `make test` nor CI runs it. MUTANTS narrows it to names such as 'voip_rooms.params.*'.
mutation: .venv-mutation/.installed
	nice -n 19 .venv-mutation/bin/python -m mutation $(if $(RESUME),--resume) $(MUTANTS)

clean:
	rm -rf $(VENV) .venv-scan .venv-fuzz .venv-e2e e2e-artifacts .venv-mutation .mutation .aws-sam bench/.build .pytest_cache .mypy_cache .ruff_cache .hypothesis
