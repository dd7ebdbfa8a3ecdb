# Targets a student needs. The student release ships this file as its Makefile; the course's own
# Makefile includes it. Every target creates .venv first when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.vitlab-installed
EXTRAS ?=
# JupyterLab refuses to run as root without --allow-root (containers, CI)
LAB_ARGS ?= $(if $(filter 0,$(shell id -u)),--allow-root,)

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.$(EXTRAS)'
	@# d2l pins ancient numpy/pandas/matplotlib exactly: install it without them
	$(PY) -m pip install --quiet --no-deps d2l==1.0.3
	@touch $(STAMP)

.PHONY: setup lab
setup: $(STAMP)  ## create .venv with everything the course needs

lab: $(STAMP)  ## open JupyterLab on the notebooks
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(LAB_ARGS)
