#!/usr/bin/env bash
# Sets up and runs the whole test suite: lint, type check, unit and integration tests, AppTest pages, and the
# end-to-end browser test (Debian's chromium, installed here when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh requirements-dev.txt
if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qiE 'wqy|noto.*cjk'; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q chromium fonts-wqy-microhei
fi
.venv/bin/ruff check .
.venv/bin/mypy  # files and strictness in pyproject.toml [tool.mypy]
exec .venv/bin/python -m pytest "$@"
