#!/usr/bin/env bash
# Writes scikit-learn's 8x8 digits, split into train and test, as .npy files in samples/digits/data
# (see tools/digits/make_digits.py for the split). Creates its own venv (tools/.venv-digits) from PyPI on first
# use; DIGITS_VENV names another. The sample and its tests never run this: the .npy files are committed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${DIGITS_VENV:-tools/.venv-digits}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r tools/digits/requirements.txt
fi
exec "$venv/bin/python" tools/digits/make_digits.py samples/digits/data
