# Two entry points for a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-all demo bench clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/netwright

# The default run leaves out the end-to-end cases marked slow; `make test-all` runs them too.
test: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -m "not slow"

test-all: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

demo: $(STAMP)
	$(BIN)/netwright summary resources/examples/mlp-digits.json

bench: $(STAMP)
	$(BIN)/python bench/summary_large.py

clean:
	rm -rf $(VENV) build *.egg-info
