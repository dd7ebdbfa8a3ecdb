# Targets a student needs. The student release ships this file as its Makefile; the course's own
# Makefile includes it. Every target creates .venv first when it is missing.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.vitlab-installed
EXTRAS ?=
NOTEBOOKS ?= notebooks
# JupyterLab refuses to run as root without --allow-root (containers, CI)
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
# JupyterLab reads its configuration from this folder only (not from ~/.jupyter): nbgrader's
# Validate button on, its instructor panels off. Settings changed in JupyterLab land in
# .jupyter-student/lab/ (git-ignored), never in your own Jupyter settings.
LAB_ENV := JUPYTER_CONFIG_DIR="$(CURDIR)/.jupyter-student" MPLBACKEND=module://matplotlib_inline.backend_inline

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.$(EXTRAS)'
	@# d2l pins ancient numpy/pandas/matplotlib exactly: install it without them
	$(PY) -m pip install --quiet --no-deps d2l==1.0.3
	@touch $(STAMP)

.PHONY: setup lab check
setup: $(STAMP)  ## create .venv with everything the course needs

lab: $(STAMP)  ## open JupyterLab on the notebooks
	$(LAB_ENV) $(VENV)/bin/jupyter lab --notebook-dir="$(NOTEBOOKS)" $(ALLOW_ROOT) $(LAB_ARGS)

check: $(STAMP)  ## your progress: run every notebook's public tests (files left untouched)
	@$(PY) -m vitlab.progress $(NOTEBOOKS)
