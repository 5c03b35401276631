#!/usr/bin/env bash
# Refresh the translation sources from the code, then compile them.
#
#   packaging/dev/i18n.sh          update resources/i18n/*.ts from warroom/ui and build the .qm files
#
# Translators edit resources/i18n/warroom_zh_CN.ts (Qt Linguist: pyside6-linguist); the
# compiled .qm files are committed so that a checkout runs without the Qt tools.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${WARROOM_VENV:-$ROOT/.venv}"
cd "$ROOT"
mapfile -t SOURCES < <(find warroom/ui -name '*.py' | sort)
for ts in resources/i18n/warroom_*.ts; do
  "$VENV/bin/pyside6-lupdate" -no-obsolete "${SOURCES[@]}" -ts "$ts"
  "$VENV/bin/pyside6-lrelease" "$ts" -qm "${ts%.ts}.qm"
done
