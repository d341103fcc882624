# fogcosim: every target sets up what it needs (a virtual environment in .venv,
# torch==2.13.0 installed first so the project's torch range never pulls a CUDA build).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
PROFILE ?= paper-sec21
OUT    ?= results

.PHONY: setup native test lint bench sweep wheel payloads omnetpp golden fixtures agreement clean docs

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP) native

# The engine's event loop compiled with mypyc into build/native/ (seconds when fresh: it checks
# its sources' hashes; about a minute after an edit). Without a C compiler the pure Python
# engine runs, with the same results: hence the leading '-'.
native: $(STAMP)
	-$(BIN)/python -m simulation.embedded.native_build

test: $(STAMP) native
	$(BIN)/pytest -n 2 -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP) native
	$(BIN)/python -m benchmarks

payloads: $(STAMP)
	$(BIN)/fogcosim payloads --all --fog-nodes 4 --batch-size 100 --out $(OUT)/payloads

# The whole study: every fog-node count x method x seed of the profile, then the report.
# Resumable: run it again after an interruption and completed runs are kept. The folder is
# the one `fogcosim sweep --profile $(PROFILE)` picks: $(OUT)/<name> for a shipped profile as
# shipped, $(OUT)/<name>-<sha256[:8]> for any other text (so edited copies never mix).
BACKEND ?= embedded
sweep: $(STAMP) native
	$(BIN)/fogcosim sweep --profile $(PROFILE) --backend $(BACKEND) --results-root $(OUT)

# A wheel in $(OUT)/dist that carries the NED/ini templates and the profiles.
wheel: $(STAMP)
	$(BIN)/pip wheel --quiet --no-deps --no-build-isolation --wheel-dir $(OUT)/dist .

# Install OMNeT++ + INET with opp_env (needs internet; says what to do without). Default: the
# newest validated pair (6.2.0 + 4.6.0); OMNETPP_VERSION=6.1.0 INET_VERSION=4.5.4 picks the other.
OPP_ENV_WORKSPACE ?= $(HOME)/.local/share/fogcosim/opp_env
OMNETPP_VERSION ?= 6.2.0
INET_VERSION ?= 4.6.0
omnetpp: $(STAMP)
	$(BIN)/pip install --quiet opp_env
	OPP_ENV_WORKSPACE=$(OPP_ENV_WORKSPACE) $(BIN)/python -m simulation.backends.omnetpp.install --workspace $(OPP_ENV_WORKSPACE) --omnetpp $(OMNETPP_VERSION) --inet $(INET_VERSION)

# Regenerate the golden NED/ini files of the render tests (review the diff).
golden: $(STAMP)
	$(BIN)/python -m tests.golden.regenerate

# Re-run the committed real OMNeT++ fixtures (needs OMNeT++ 6.1 + INET 4.5.4).
fixtures: $(STAMP)
	$(BIN)/python -m tests.fixtures.omnetpp.regenerate

# Both backends on every shipped profile x {4,18} FNs x method: the agreement table.
agreement: $(STAMP)
	$(BIN)/python -m analysis.run.agreement --out $(OUT)/agreement

clean:
	rm -rf $(OUT) .pytest_cache .mypy_cache .ruff_cache

# Regenerate docs/profile-reference.md from the profile schema (a test keeps it in sync).
docs: $(STAMP)
	$(BIN)/python -m simulation.profile.reference > docs/profile-reference.md
