#!/usr/bin/env bash
# Regenerates the PyTorch reference fixtures under Tests/MicrogradTests/Fixtures.
# Creates its own venv (tools/.venv) from PyPI on first use; FIXTURE_VENV names
# an existing venv with torch instead. The tests never run this: the JSON it
# writes is committed.
set -euo pipefail
cd "$(dirname "$0")/.."
venv="${FIXTURE_VENV:-tools/.venv}"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r tools/fixtures/requirements.txt
fi
# "optim" is not an op family: tools/fixtures/optim_fixtures.py writes its trajectories.
if [ $# -eq 0 ] || [ "$*" = optim ]; then
  "$venv/bin/python" tools/fixtures/optim_fixtures.py Tests/MicrogradTests/Fixtures/optim.json
fi
[ "$*" = optim ] || exec "$venv/bin/python" tools/fixtures/make_fixtures.py Tests/MicrogradTests/Fixtures "$@"
