#!/usr/bin/env bash
# Sets up and starts the dashboard on the bundled sample reports (the database is built on first start).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements.txt
exec .venv/bin/streamlit run app.py "$@"
