# Lägesbild Desktop. `make run` and `make test` set everything up on a fresh Debian 12.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEMO_DB ?= demo-data/lagesbild-demo.db
TS := resources/i18n/lagesbild_sv.ts
QM := $(TS:.ts=.qm)
HEADLESS := QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1


.PHONY: setup system-packages run test bench lint demo clean translations bundle

setup: system-packages $(STAMP) $(QM)

system-packages:
	@sh build/debian-packages.sh

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $@

$(QM): $(TS) | $(STAMP)
	$(PY) build/i18n.py release

# After changing visible strings: refresh the .ts, translate, then `make` builds the .qm.
translations: $(STAMP)
	$(PY) build/i18n.py update
	$(PY) build/i18n.py check

$(DEMO_DB): | $(STAMP)
	$(PY) -m lagesbild_desktop demo --db $(DEMO_DB)

demo: setup $(DEMO_DB)

run: setup $(DEMO_DB)
	$(PY) -m lagesbild_desktop --db $(DEMO_DB)

# The 200,000-row responsiveness test runs in a process of its own: after the rest of
# the suite in the same process it has crashed inside Qt (docs/decisions.md).
test: setup
	$(HEADLESS) $(PY) -m pytest $(PYTEST_ARGS) --ignore=tests/ui/test_responsive.py
	$(HEADLESS) $(PY) -m pytest $(PYTEST_ARGS) tests/ui/test_responsive.py

bench: setup
	$(HEADLESS) $(PY) benchmarks/bench_store.py
	$(HEADLESS) $(PY) benchmarks/bench_ui.py
	$(PY) benchmarks/bench_lagesbild.py
	$(PY) benchmarks/bench_report.py
	$(PY) benchmarks/bench_sync.py
	$(PY) benchmarks/bench_encryption.py

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy lagesbild_desktop/domain lagesbild_desktop/db

# The one-folder bundle in dist/lagesbild/ (PyInstaller, build/lagesbild.spec; see
# docs/deployment.md); `sh build/smoke-bundle.sh` starts it once and checks it.
BUNDLE_STAMP := $(VENV)/.bundle-installed

$(BUNDLE_STAMP): pyproject.toml | $(STAMP)
	$(PY) -m pip install --quiet -e ".[bundle]"
	touch $@

# PyInstaller reads binaries with objdump and the spec strips debug information with
# strip and readelf (binutils); it bundles libpython3.X.so, which Debian's Python keeps
# in a package of its own.
bundle: setup $(BUNDLE_STAMP)
	@EXTRA_DEBIAN_PACKAGES="binutils libpython$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" \
		sh build/debian-packages.sh
	rm -rf dist/lagesbild
	$(VENV)/bin/pyinstaller --noconfirm --distpath dist --workpath build/_work build/lagesbild.spec

clean:
	rm -rf $(VENV) demo-data .pytest_cache .ruff_cache .mypy_cache dist build/_work
