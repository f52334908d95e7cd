# The two commands of the README:
#   make grade   set up .venv (if needed) and run the instructor's grading run on a simulated class
#   make test    set up .venv (if needed) and run every check (ruff + pytest)
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
# nbgrader runs `alembic` from PATH, so the venv's bin/ must come first.
export PATH := $(abspath $(VENV))/bin:$(PATH)
# Plain tensorflow on machines with an NVIDIA driver, the 274 MB CPU build elsewhere.
TF_EXTRA ?= $(shell nvidia-smi -L >/dev/null 2>&1 && echo tf-gpu || echo tf-cpu)

.PHONY: setup grade test test-fast lint release bench clean
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev,$(TF_EXTRA)]"
	touch $@

grade: setup
	$(PY) -m course demo

test: setup
	$(PY) -m ruff check course tests source classroom
	$(PY) -m pytest

# The contributor's inner loop: everything but the tests that execute notebooks, run nbgrader
# or drive a browser (marked slow). `make test` still runs everything.
test-fast: setup
	$(PY) -m ruff check course tests source classroom
	$(PY) -m pytest -m "not slow"

release: setup
	$(PY) -m course release

bench: setup
	$(PY) -m course bench

clean:
	rm -rf submitted feedback gradebook.db grades.csv results.csv .grading reports
	find autograded -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +

# Learners (README, "For learners"): set up or update workspace/ and open JupyterLab on it.
.PHONY: learn
learn: setup
	$(PY) -m course workspace
