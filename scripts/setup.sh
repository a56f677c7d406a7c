#!/usr/bin/env bash
# Sets up OneWindow on a fresh machine: system packages, the virtual environment at .venv,
# and the project itself. Safe to run again: each step is skipped when already done.
#
#   bash scripts/setup.sh            # what `make demo` and `make test` run first
#
# Python packages come from requirements.lock, installed with --no-deps: the lock is the
# complete, resolved set, and --no-deps keeps pip from following face_recognition's
# requirement on the dlib *source* distribution (dlib-bin, in the lock, ships the same
# `dlib` module as a wheel). setuptools stays below 81 because face_recognition_models
# imports pkg_resources.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium: headless browser for the portal tests (Playwright drives /usr/bin/chromium).
SYSTEM_PACKAGES=(fonts-noto-cjk fonts-wqy-zenhei fonts-wqy-microhei fonts-dejavu-core tesseract-ocr tesseract-ocr-chi-sim chromium)
PYTHON=${PYTHON:-python3}

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing system packages: ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "setup: Python 3.11 or newer is needed (found $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$PYTHON" -m venv .venv
fi

stamp=.venv/.onewindow-installed
if [ ! -f "$stamp" ] || [ requirements.lock -nt "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "setup: installing Python packages from requirements.lock"
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -r requirements.lock
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps --no-build-isolation -e .
    touch "$stamp"
fi
.venv/bin/onewindow doctor
