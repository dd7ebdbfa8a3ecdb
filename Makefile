# ViT from Scratch: every target bootstraps .venv itself (see student.mk).
EXTRAS := [dev]
include student.mk

SUBMISSIONS ?= .grading/submissions
OUT ?= .grading/autograde
PYTEST := $(PY) -m pytest

.PHONY: help test test-fast release student-release autograde samples bench lint
help:
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | sort

test: $(STAMP)  ## the whole suite: checks, release sync, nbval, autograde, student release
	VITLAB_FAST=1 $(PYTEST) tests
	VITLAB_FAST=1 $(PYTEST) --nbval-lax --nbval-current-env -p no:randomly solutions

test-fast: $(STAMP)  ## unit tests only (seconds)
	VITLAB_FAST=1 $(PYTEST) tests -m "not slow"

release: $(STAMP)  ## regenerate notebooks/ from solutions/ with nbgrader
	$(PY) -m grader.release

student-release: $(STAMP)  ## build/student-release/ and its zip: what students get
	$(PY) -m grader.student_release

samples: $(STAMP)  ## a class of sample submissions in $(SUBMISSIONS)
	$(PY) -m grader.samples $(SUBMISSIONS)

autograde: $(STAMP)  ## grade SUBMISSIONS=<dir> into OUT=<dir> (grades.csv, feedback/)
	VITLAB_FAST=1 $(PY) -m grader.autograde $(SUBMISSIONS) $(OUT)

bench: $(STAMP)  ## speed benchmarks (prints tables; not a test)
	$(PY) benchmarks/attention.py

lint: $(STAMP)
	$(VENV)/bin/ruff check vitlab grader tests benchmarks
