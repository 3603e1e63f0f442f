# Two commands: `make run` serves the demo, `make test` runs every test.
# Both create the virtual environment when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INI ?= etc/development.ini
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
MO_FILES := $(patsubst %.po,%.mo,$(wildcard ts_host/locale/*/LC_MESSAGES/*.po plugins/*/locale/*/LC_MESSAGES/*.po))

.PHONY: run test demo install lint format catalogues messages clean

run: $(STAMP) catalogues var
	$(BIN)/ts-admin demo $(INI) --if-empty
	$(BIN)/pserve $(INI)

test: $(TEST_STAMP) catalogues
	$(BIN)/pytest $(PYTEST_ARGS)

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): $(VENV)/bin/python pyproject.toml constraints.txt
	$(BIN)/pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

catalogues: $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ 2>/dev/null

# Extract the messages of the templates and the code, then merge them into
# each language's catalogue (French is the source language).
messages: $(TEST_STAMP)
	for package in ts_host $(notdir $(wildcard plugins/ts_*)); do \
	    dir=$$package; [ -d $$dir ] || dir=plugins/$$package; \
	    [ -d $$dir/locale ] || continue; \
	    $(BIN)/pot-create -d $$package -o $$dir/locale/$$package.pot $$dir && \
	    $(BIN)/pybabel update -i $$dir/locale/$$package.pot -d $$dir/locale -D $$package --width 88; \
	done

var:
	mkdir -p var/mail

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var build *.egg-info
