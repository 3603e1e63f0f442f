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
	$(BIN)/pybabel compile --use-fuzzy -i $< -o $@ --statistics 2>/dev/null

# Extract the messages of the templates and the code, then merge them into
# each language's catalogue (French is the source language).
messages: $(TEST_STAMP)
	$(BIN)/pot-create -d ts_host -o ts_host/locale/ts_host.pot ts_host
	$(BIN)/pybabel update -i ts_host/locale/ts_host.pot -d ts_host/locale -D ts_host --width 88

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
