# Two commands: `make run` serves the demo, `make test` runs every test.
# Both create the virtual environment when it is missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INI ?= etc/development.ini
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test
# A translation domain per package: the host's and each service's (bundled or
# the example), named after the package, its catalogues in the package's locale/.
DOMAIN_DIRS := ts_host $(wildcard plugins/ts_*) examples/ts_cantine/ts_cantine
LANGUAGES := fr en
MO_FILES := $(patsubst %.po,%.mo,$(wildcard $(addsuffix /locale/*/LC_MESSAGES/*.po,$(DOMAIN_DIRS))))

.PHONY: run test demo install lint format catalogues messages new-catalogues clean screenshots

run: $(STAMP) catalogues var
	$(BIN)/ts-admin demo $(INI) --if-empty
	$(BIN)/pserve $(INI)

# The host's tests and the services' tests run as two pytest sessions:
# each builds the demo databases its configuration needs.  PYTEST_PATHS
# runs a chosen selection instead (CI's storage reruns).  Each session runs
# on PYTEST_WORKERS processes (pytest-xdist; 0: in pytest's own process, as
# a debugger needs), one test file per process at a time: a file's
# module-scoped fixtures (a browser journey's live server) are made once.
PYTEST_WORKERS ?= auto
PYTEST_XDIST := -n $(PYTEST_WORKERS) --dist loadfile
test: $(TEST_STAMP) catalogues var
ifdef PYTEST_PATHS
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS) $(PYTEST_PATHS)
else
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS) tests
	$(BIN)/pytest $(PYTEST_XDIST) $(PYTEST_ARGS) plugins examples
endif

install: $(STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The example service examples/ts_cantine is a distribution of its own (the demo enables it).
$(STAMP): $(VENV)/bin/python pyproject.toml constraints.txt examples/ts_cantine/pyproject.toml
	$(BIN)/pip install --quiet -c constraints.txt -e .
	$(BIN)/pip install --quiet -c constraints.txt -e examples/ts_cantine
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

catalogues: $(MO_FILES)

%.mo: %.po $(STAMP)
	$(BIN)/pybabel compile -i $< -o $@ 2>/dev/null

# Extract the messages of the templates and the code, then merge them into
# each language's catalogue (French is the source language).
messages: new-catalogues
	for dir in $(DOMAIN_DIRS); do \
	    package=$$(basename $$dir); \
	    $(BIN)/pot-create -d $$package -o $$dir/locale/$$package.pot $$dir && \
	    $(BIN)/pybabel update -i $$dir/locale/$$package.pot -d $$dir/locale -D $$package --width 88; \
	done

# The first catalogues of a domain that has none yet (a new service): its
# template and an empty catalogue per language; existing ones are left alone.
new-catalogues: $(TEST_STAMP)
	for dir in $(DOMAIN_DIRS); do \
	    package=$$(basename $$dir); pot=$$dir/locale/$$package.pot; \
	    [ -f $$pot ] || { mkdir -p $$dir/locale && $(BIN)/pot-create -d $$package -o $$pot $$dir; } || exit 1; \
	    for language in $(LANGUAGES); do \
	        [ -f $$dir/locale/$$language/LC_MESSAGES/$$package.po ] || \
	        $(BIN)/pybabel init -i $$pot -d $$dir/locale -D $$package -l $$language --width 88 || exit 1; \
	    done; \
	done

var:
	mkdir -p var/mail var/blobs

# The README's screenshots (docs/screenshots/), from the browser journeys'
# live server in Chromium headless.
screenshots: $(TEST_STAMP) catalogues
	$(BIN)/python -m tests.browser.screenshots

lint: $(TEST_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(TEST_STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var build *.egg-info

# Security tooling (also run by .ci/run): static checks of the code that runs
# in production (medium severity and above fail; see docs/SECURITY.md), and
# known vulnerabilities of the pinned dependencies.
.PHONY: security
security: $(TEST_STAMP)
	$(BIN)/bandit -c pyproject.toml -r ts_host plugins examples -q --severity-level medium
	$(BIN)/python -m tests.security.dependency_audit constraints.txt

# Load and scale benchmarks (not tests): wrk against the server started as
# `make run` does, on 1 000 and 100 000 demo pupils, then a mixed family
# workload through the production topology (nginx, two processes,
# RelStorage/PostgreSQL); see bench/RESULTS.md.  Needs wrk, nginx, openssl
# and postgresql (apt-get install).  BENCH_ARGS="--pupils 1000" for a quick
# run, BENCH_ARGS="--topology --pupils 1000" for the topology alone.
.PHONY: bench
bench: $(TEST_STAMP) catalogues
	$(BIN)/python -m bench $(BENCH_ARGS)

# The DSFR, vendored in ts_host/static/dsfr from its npm package (see
# VERSION.md there and docs/decisions.md): the whole compiled CSS and
# scripts, unchanged but for their source-map comment, every file that CSS
# refers to, and the icon classes listed below (add one here to use it).
DSFR_VERSION := 1.15.3
DSFR_INTEGRITY := sha512-R9AALZc1LfZjtytWZMOaUIOHWTkllBZ/sZlsL8TpKZVgF3qUKXt/uNYh+L1D1Fh4p92ZqWxbtNcebsigBZe5pQ==
DSFR := ts_host/static/dsfr
DSFR_ICONS := arrow-right-line arrow-left-line close-line information-line logout-box-r-line \
    account-circle-line question-line external-link-line download-line mail-line phone-line \
    calendar-line user-line checkbox-circle-line error-warning-line delete-line add-line
.PHONY: dsfr
dsfr:
	rm -rf build/dsfr && mkdir -p build/dsfr
	cd build/dsfr && npm pack --silent @gouvfr/dsfr@$(DSFR_VERSION) >/dev/null
	test "sha512-$$(openssl dgst -sha512 -binary build/dsfr/*.tgz | base64 -w0)" = "$(DSFR_INTEGRITY)"
	cd build/dsfr && tar xzf *.tgz
	rm -rf $(DSFR)/*.css $(DSFR)/*.js $(DSFR)/fonts $(DSFR)/icons $(DSFR)/favicon
	for name in dsfr.main.min.css dsfr.module.min.js dsfr.nomodule.min.js; do \
	    sed '/sourceMappingURL=/d' build/dsfr/package/dist/$$name > $(DSFR)/$$name; \
	done
	for name in $(DSFR_ICONS); do \
	    grep -ho "\.fr-icon-$$name:after,\.fr-icon-$$name:before{[^}]*}" \
	        build/dsfr/package/dist/utility/icons/*/*.main.min.css | head -n 1 | grep . \
	        || { echo "no DSFR icon $$name" >&2; exit 1; }; \
	done | sed 's#url(\.\./\.\./\.\./icons/#url(icons/#g' > $(DSFR)/icons.css
	for file in $$(cat $(DSFR)/*.css | grep -o 'url([a-z][^)]*)' | sed 's/^url(//; s/)$$//' | sort -u); do \
	    mkdir -p $(DSFR)/$$(dirname $$file) && cp build/dsfr/package/dist/$$file $(DSFR)/$$file; \
	done
	mkdir -p $(DSFR)/favicon
	cp build/dsfr/package/dist/favicon/favicon.svg build/dsfr/package/dist/favicon/favicon.ico $(DSFR)/favicon/
	cp build/dsfr/package/LICENSE.md $(DSFR)/LICENSE
	cp build/dsfr/package/doc/legal/cgu.md $(DSFR)/LICENSE-modalites-utilisation.md
