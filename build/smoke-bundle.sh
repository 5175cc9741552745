#!/bin/sh
# Smoke check of the bundle built by `make bundle`: starts dist/lagesbild/lagesbild once
# offscreen on a demo database and fails unless the map drew with no remote request and
# exit 0 (build/smoke-bundle.py says what else it checks). Prints the bundle size in MB
# and MiB and fails at 500 MB = 500 * 10**6 bytes (BUNDLE_MAX_MB=… to change it).
set -eu
cd "$(dirname "$0")/.."
exec "${VENV:-.venv}/bin/python" build/smoke-bundle.py "$@"
