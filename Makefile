# ViT from Scratch: every target bootstraps .venv itself (see student.mk).
EXTRAS := [dev]
include student.mk

SUBMISSIONS ?= .grading/submissions
OUT ?= .grading/autograde
PYTEST := $(PY) -m pytest

#: Debian packages the whole suite needs: the real data set, the sandbox, a browser, a one-node Slurm
SYSTEM_PACKAGES := dataset-fashion-mnist bubblewrap chromium slurm-wlm munge
#: optional inputs of the grade sheet and the exports: a late policy (TOML) and an LMS roster (CSV)
POLICY ?=
ROSTER ?=
GRADING_OPTIONS = $(if $(POLICY),--policy $(POLICY))

.PHONY: help system test test-fast release student-release autograde merge grades formgrader export report similarity samples bench bench-train bench-grading index lint
help:
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

system:  ## install the Debian packages the tests need (as root, or through sudo)
	@sh tools/system-packages.sh $(SYSTEM_PACKAGES)

LINTED := vitlab grader instructor tests benchmarks

test: system $(STAMP) lint  ## the whole suite (installs what it needs first): lint, checks, release sync, nbval, autograde
	VITLAB_FAST=1 $(PYTEST) tests
	VITLAB_FAST=1 $(PYTEST) --nbval-lax --nbval-current-env -p no:randomly solutions

test-fast: $(STAMP)  ## unit tests only (seconds)
	VITLAB_FAST=1 $(PYTEST) tests -m "not slow"

release: $(STAMP)  ## regenerate notebooks/ from solutions/ with nbgrader
	$(PY) -m grader.release

student-release: $(STAMP)  ## build/student-release/ and its zip: what students get
	$(PY) -m grader.release.student

samples: $(STAMP)  ## a class of sample submissions in $(SUBMISSIONS)
	$(PY) -m grader.samples $(SUBMISSIONS)

autograde: $(STAMP)  ## grade SUBMISSIONS=<dir> into OUT=<dir> (grades.csv, feedback/); ARGS="--jobs 4 --shard 1/8 --resume"
	VITLAB_FAST=1 $(PY) -m grader.autograde $(SUBMISSIONS) $(OUT) $(GRADING_OPTIONS) $(ARGS)

merge: $(STAMP)  ## combine shard results: make merge OUT=<dir> SHARDS="<shard out> <shard out> ..."
	$(PY) -m grader.autograde.store $(OUT) $(SHARDS) $(GRADING_OPTIONS)

grades: $(STAMP)  ## rebuild OUT's grades.csv, feedback and gradebook (new manual grades; POLICY=late policy); runs untouched
	$(PY) -m grader.autograde.store $(OUT) $(GRADING_OPTIONS)

formgrader: $(STAMP)  ## nbgrader's formgrader on OUT's gradebook: grade the written answers by hand, then make grades
	@test -f $(OUT)/nbgrader_config.py || { echo "no $(OUT)/nbgrader_config.py: run make autograde (or make grades) OUT=$(OUT) first"; exit 2; }
	cd $(OUT) && PYTHONPATH="$(CURDIR)" "$(CURDIR)/$(VENV)/bin/jupyter" lab $(ALLOW_ROOT) $(LAB_ARGS) \
		--ServerApp.jpserver_extensions="{'nbgrader.server_extensions.formgrader': True}"

export: $(STAMP)  ## OUT/export/: Canvas and Moodle CSV, Gradescope results.json (ROSTER=roster.csv, POLICY=..., ARGS="--upload-canvas ...")
	$(PY) -m grader.autograde.exports $(OUT) $(GRADING_OPTIONS) $(if $(ROSTER),--roster $(ROSTER)) $(ARGS)

report: $(STAMP)  ## OUT/report/index.html: scores, pass rates, the class's typical mistakes, statuses, timing, similarity
	MPLBACKEND=Agg $(PY) -m grader.autograde.report $(OUT) $(GRADING_OPTIONS)

similarity: $(STAMP)  ## OUT/report/similarity.html: pairs of submissions ranked for a human look (never a penalty)
	$(PY) -m grader.autograde.similarity $(OUT) $(ARGS)

bench-grading: $(STAMP)  ## grading speed: seconds per notebook, projected time for 200 students
	VITLAB_FAST=1 $(PY) benchmarks/grading.py

bench: $(STAMP)  ## speed benchmarks (prints tables; not a test)
	$(PY) benchmarks/attention.py

BUDGET ?= 600
bench-train: $(STAMP)  ## course vs D2L 11.8 vs seed recipe, BUDGET=600 s of training each (about 35 min)
	$(PY) benchmarks/train.py --budget $(BUDGET) $(ARGS)

index: $(STAMP)  ## rewrite docs/exercises.md from the registry
	$(PY) -m grader.index

lint: $(STAMP)  ## ruff check and ruff format --check on the Python code (not the notebooks)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
