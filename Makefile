# Descent: developer entry points. GNU make.
#   make run    start the app on http://localhost:8501
#   make test   ruff + every test (unit and Playwright browser tests)
#   make bench  run the benchmark (bench/run.py)
#   make serve  replicas of the app behind nginx on port 8501 (REPLICAS=, PORT=)
#   make lint   ruff check + ruff format --check

PYTHON ?= python3
VENV   := .venv
VPY    := $(VENV)/bin/python
PORT   ?= 8501
RUFF   ?= $(VENV)/bin/ruff

.DEFAULT_GOAL := help
.PHONY: help run test bench lint serve

help:
	@echo "make run    - create $(VENV), install requirements.txt, start the app on port $(PORT)"
	@echo "make test   - install requirements-dev.txt, run ruff and all tests (browser included)"
	@echo "make bench  - run bench/run.py"
	@echo "make serve  - REPLICAS (default: one per core) app replicas behind nginx on port $(PORT)"
	@echo "make lint   - ruff check + ruff format --check"

$(VPY):
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a requirements file is newer than the stamp.
$(VENV)/.stamp-run: requirements.txt | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(VENV)/.stamp-dev: requirements.txt requirements-dev.txt | $(VPY)
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# deploy/launch.py: streamlit run app.py, then every page's default view once (warm caches).
run: $(VENV)/.stamp-run
	$(VPY) -m deploy.launch --server.port $(PORT)

# Browser discovery for the Playwright tests (tests/browser/conftest.py reads these):
#   1. a system Chromium (/usr/bin/chromium, or chromium / chromium-browser on PATH)
#      -> DESCENT_CHROMIUM=<its path>
#   2. else Playwright's own download (`playwright install chromium`)
#      -> DESCENT_CHROMIUM empty, Playwright uses its bundled browser
#   3. else a loud warning and DESCENT_SKIP_BROWSER=1 (browser tests are skipped)
# When a browser was found, DESCENT_REQUIRE_BROWSER=1: a launch failure is then an error,
# not a silent skip.
test: $(VENV)/.stamp-dev
	$(RUFF) check .
	@set -e; \
	DESCENT_CHROMIUM=""; DESCENT_SKIP_BROWSER="$${DESCENT_SKIP_BROWSER:-}"; \
	if [ -x /usr/bin/chromium ]; then \
		DESCENT_CHROMIUM=/usr/bin/chromium; \
	elif command -v chromium >/dev/null 2>&1; then \
		DESCENT_CHROMIUM="$$(command -v chromium)"; \
	elif command -v chromium-browser >/dev/null 2>&1; then \
		DESCENT_CHROMIUM="$$(command -v chromium-browser)"; \
	elif $(VPY) -m playwright install chromium; then \
		echo "make test: using Playwright's own Chromium"; \
	else \
		echo ""; \
		echo "############################################################"; \
		echo "##  WARNING: NO BROWSER FOUND                             ##"; \
		echo "##  No system Chromium and 'playwright install chromium'  ##"; \
		echo "##  failed. ALL BROWSER TESTS WILL BE SKIPPED.            ##"; \
		echo "##  On Debian: apt-get install chromium                   ##"; \
		echo "############################################################"; \
		echo ""; \
		DESCENT_SKIP_BROWSER=1; \
	fi; \
	if [ -n "$$DESCENT_CHROMIUM" ]; then echo "make test: using Chromium at $$DESCENT_CHROMIUM"; fi; \
	DESCENT_REQUIRE_BROWSER=""; \
	if [ "$$DESCENT_SKIP_BROWSER" != 1 ]; then DESCENT_REQUIRE_BROWSER=1; fi; \
	export DESCENT_CHROMIUM DESCENT_SKIP_BROWSER DESCENT_REQUIRE_BROWSER; \
	$(VPY) -m pytest

# Replicas behind nginx (deploy/serve.py); Ctrl-C stops them all. Needs nginx on PATH or in
# /usr/sbin (Debian: apt-get install nginx).
REPLICAS ?=
serve: $(VENV)/.stamp-run
	$(VPY) deploy/serve.py --port $(PORT) $(if $(REPLICAS),--replicas $(REPLICAS))

bench: $(VENV)/.stamp-dev
	$(VPY) bench/run.py

lint: $(VENV)/.stamp-dev
	$(RUFF) check .
	$(RUFF) format --check .
