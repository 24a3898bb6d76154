# booknlp-jupyter: `make demo` runs the main job, `make test` the linters, then the whole suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: install demo test lint bench train-lite clean

install: $(STAMP)

$(STAMP): pyproject.toml Makefile labextension/package.json labextension/yarn.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip "setuptools<81" wheel
	# CPU torch from its pinned wheel (a bare `torch` may pull a multi-GB CUDA build)
	$(PIP) install -q "torch==2.13.0" || $(PIP) install -q torch
	# BookNLP without its unused tensorflow requirement; its real needs come from [lite]
	$(PIP) install -q --no-deps "booknlp==1.0.8"
	# also builds the JupyterLab extension (labextension/, with jlpm; needs node >= 20)
	$(PIP) install -q -e ".[lite,notebook,hub,test]"
	touch $(STAMP)

demo: install
	$(PY) -m booknlp_jupyter.demo

# The JupyterLab browser tests (tests/test_lab_ui.py) need node and Chromium: without them
# `make test` fails. `make test BOOKNLP_REQUIRE_BROWSER=0` skips them knowingly (the summary
# still says, in red, that the lab panel was not tested).
BOOKNLP_REQUIRE_BROWSER ?= 1

test: lint
	BOOKNLP_REQUIRE_BROWSER=$(BOOKNLP_REQUIRE_BROWSER) \
		$(PY) -m pytest -q -p no:cacheprovider $(PYTEST_ARGS)

lint: install
	$(PY) -m ruff check booknlp_jupyter tests bench
	$(PY) -m ruff format --check booknlp_jupyter tests bench

bench: install
	$(PY) bench/api_latency.py
	$(PY) bench/lite_speed.py
	$(PY) bench/lite_quality.py
	$(PY) bench/lite_novels.py
	$(PY) bench/remote_workers.py
	$(PY) bench/frames_load.py --repeat 1
	$(PY) bench/corpus_bench.py

# the lite engine's trained models, from ../shared/litbank (about 10 minutes; CV scores printed)
train-lite: install
	$(PY) bench/train_entities.py
	$(PY) bench/train_coref.py
	$(PY) bench/train_speakers.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache out
	rm -rf labextension/lib labextension/test-lib labextension/lab-dist labextension/node_modules \
		labextension/ui-tests/node_modules
