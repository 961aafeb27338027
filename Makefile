# The single entry point. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
MODEL := models/mfr.tar.gz
SPACY_PIPELINE := build/spacy_en_mfr/meta.json
DETECTOR := build/emergency_detector.joblib
RASA_PORT ?= 5005
ACTIONS_PORT ?= 5055
WEB_PORT ?= 8080
CORS_ORIGINS ?= http://localhost:$(WEB_PORT)
# apt-get needs root; elsewhere sudo.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

export RASA_TELEMETRY_ENABLED := false
export SQLALCHEMY_SILENCE_UBER_WARNING := 1
# TensorFlow's C++ start-up chatter hides the figures; the scripts leave the
# environment alone (no side effects at import), so it is set here.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONDONTWRITEBYTECODE := 1

# The pipeline's own components and the intent model's code shape the model too.
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null) $(SPACY_PIPELINE) \
  $(wildcard components/*.py) mfr/intent_model.py mfr/linear.py mfr/speech.py detection/spoken_abbreviations.yml
# What the learned emergency detector learns from (mfr/emergency_detector.py), and the code that shapes it: its kind
# model is a LinearLayer without its empty rows (mfr/linear.py), as the intent model is one in TRAINING_INPUTS.
DETECTOR_INPUTS := detection/emergency_detector.yml detection/red_flags.yml detection/red_flags_dev.yml detection/emergencies.yml \
  $(wildcard detection/emergency_examples/*.yml) $(wildcard tests/data/red_flags*.yml) $(shell find data -name '*.yml' 2>/dev/null) \
  mfr/emergency_detector.py mfr/red_flags.py mfr/linear.py scripts/train_emergency_detector.py

.PHONY: detector detector-compare help install run test lint typecheck validate unit evaluate conversation-tests train data triage-report insights purge forget audit audit-offline bench scaleout-test scaleout-up clean web chromium

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-20s %s\n", $$1, $$2}'

install: $(VENV)/.installed ## Create .venv (Python 3.10) with the pinned packages

$(VENV)/.installed: requirements.lock pyproject.toml
	@py=$$(scripts/find_python.sh) || exit 1; \
	[ -x $(BIN)/python ] || $$py -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "pip==24.0"
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

$(SPACY_PIPELINE): $(VENV)/.installed detection/lexicon.yml mfr/medical_entities.py scripts/build_spacy.py
	$(BIN)/python scripts/build_spacy.py

detector: $(DETECTOR) ## Train the learned emergency detector (the model and thresholds in detection/emergency_detector.yml)

$(DETECTOR): $(VENV)/.installed $(DETECTOR_INPUTS)
	$(BIN)/python scripts/train_emergency_detector.py

detector-compare: $(VENV)/.installed ## Choose the emergency detector's model and thresholds again by measurement (a few minutes)
	$(BIN)/python scripts/train_emergency_detector.py --compare

web: web/vendor/socket.io.min.js ## npm packages of the chat widget (npm ci in web/)

web/vendor/socket.io.min.js: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund

chromium: ## Debian's Chromium for the widget's browser test (apt-get)
	@[ -x /usr/bin/chromium ] || { $(SUDO) apt-get update && $(SUDO) apt-get install -y chromium; }

train: $(MODEL) ## Train the model (only when data, config or domain changed)

# SafetyOverride loads the detector when Rasa builds the pipeline. --force: make
# has already decided that an input changed, and Rasa's own cache would restore a
# component whose code (or the file its code reads) changed but whose config and
# training data did not (a full training takes about 25 s).
$(MODEL): $(VENV)/.installed $(TRAINING_INPUTS) | $(DETECTOR)
	$(BIN)/rasa train --force --fixed-model-name mfr --out models
	@touch $@

data: $(VENV)/.installed ## Regenerate data/nlu/clinc.yml from datasets/clinc150 (train split)
	$(BIN)/python scripts/make_clinc_training_data.py

run: $(MODEL) $(DETECTOR) web ## Start the action server, the Rasa server (REST, socket.io, Telegram, phone) and the web chat page
	$(BIN)/python -m harness.run --rasa-port $(RASA_PORT) --actions-port $(ACTIONS_PORT) --web-port $(WEB_PORT) --cors $(CORS_ORIGINS)

test: $(MODEL) $(DETECTOR) lint typecheck validate web chromium ## Lint, type-check, validate data, run pytest (with the web widget's browser test) and the conversation tests
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory conversation-tests

lint: $(VENV)/.installed ## ruff
	$(BIN)/ruff check .

typecheck: $(VENV)/.installed ## mypy over every package (pyproject.toml lists them)
	$(BIN)/mypy

validate: $(VENV)/.installed ## rasa data validate
	$(BIN)/rasa data validate --fail-on-warnings --quiet

unit: $(VENV)/.installed $(SPACY_PIPELINE) $(DETECTOR) ## Every test that needs no trained model and no server (under a minute)
	$(BIN)/python -m pytest -m "not model and not integration and not scaleout"

conversation-tests: $(MODEL) $(DETECTOR) ## rasa test on the test stories (fails on any prediction error)
	$(BIN)/rasa test core --model $(MODEL) --stories tests/test_stories.yml --fail-on-prediction-errors --out results/core --no-plot

scaleout-test: $(MODEL) $(DETECTOR) ## Scale-out test: 2 Rasa + 2 action servers behind nginx, PostgreSQL, Redis (installs them if missing; 2-4 min)
	SCALEOUT=1 $(BIN)/python -m pytest tests/scaleout -W ignore -rA -s

scaleout-up: $(MODEL) $(DETECTOR) ## Start the scale-out set-up on 127.0.0.1 by hand (Ctrl-C stops and cleans up)
	$(BIN)/python -m deploy.scaleout up

bench: $(MODEL) $(DETECTOR) ## Benchmark: quality, peers (previous DIET model, stock config, TF-IDF+LR), training, memory, latency -> reports/benchmark.md
	$(BIN)/python -m bench

evaluate: $(MODEL) $(DETECTOR) ## Held-out quality report (intents, emergencies, slots, out of scope)
	$(BIN)/python scripts/evaluate.py --model $(MODEL) --json reports/quality.json

purge: $(VENV)/.installed ## Delete conversations and triage records older than DAYS days (default: RETENTION_DAYS, else config/clinic.yml)
	$(BIN)/python scripts/retention.py purge $${DAYS:+--days "$$DAYS"} $${DB:+--db "$$DB"}

forget: $(VENV)/.installed ## Delete every stored event and triage record of one conversation: make forget SENDER=<sender id>
	@[ -n "$$SENDER" ] || { echo "usage: make forget SENDER=<sender id> [DB=path]" >&2; exit 2; }
	$(BIN)/python scripts/retention.py forget --sender "$$SENDER" $${DB:+--db "$$DB"}

audit: ## pip-audit over requirements.lock (needs pypi.org's JSON API or api.osv.dev)
	@[ -x .venv-audit/bin/pip-audit ] || { py=$$(scripts/find_python.sh) && $$py -m venv .venv-audit && \
	  .venv-audit/bin/pip install --quiet --disable-pip-version-check "pip-audit==2.10.1"; }
	.venv-audit/bin/pip-audit -r requirements.lock --no-deps --disable-pip --progress-spinner off

audit-offline: $(VENV)/.installed ## The pins against a local advisory database copy: make audit-offline ADVISORIES=<folder>
	@[ -n "$$ADVISORIES" ] || { echo "usage: make audit-offline ADVISORIES=<copy of github.com/pypa/advisory-database or unzipped OSV PyPI/all.zip>" >&2; exit 2; }
	$(BIN)/python -m deploy.audit --advisories "$$ADVISORIES" --lock requirements.lock

insights: $(VENV)/.installed ## The clinic's insights (feedback, unanswered questions in groups, the week's figures) -> reports/insights.html
	$(BIN)/python -m insights.report --days $(or $(DAYS),30)

triage-report: $(VENV)/.installed ## Print the stored triage records and write reports/triage_records.csv
	$(BIN)/python scripts/triage_report.py

clean: ## Remove the model, the spaCy build and test output (keeps .venv and var/)
	rm -rf models build results .rasa
