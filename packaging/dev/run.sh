#!/usr/bin/env bash
# One entry point for a developer machine: sets up what is missing, then runs.
#
#   packaging/dev/run.sh demo [ARGS...]   start the demo (simulator + recorder / console)
#   packaging/dev/run.sh test [ARGS...]   run the import contracts and the test suite
#   packaging/dev/run.sh setup            only install (system packages + .venv)
#   packaging/dev/run.sh warroom ARGS...  run any warroom sub-command in the venv
#
# Set-up is idempotent and quick when nothing changed: the venv is rebuilt only when
# pyproject.toml changes. System packages (Qt's runtime libraries, CJK fonts, Xvfb) are
# installed with apt-get when we are root; otherwise the exact command is printed.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${WARROOM_VENV:-$ROOT/.venv}"
APT_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4
  libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0 libxcb-randr0 libxcb-render-util0
  libxcb-image0 libfontconfig1 libdbus-1-3 fonts-noto-cjk xvfb xauth desktop-file-utils appstream
  prometheus prometheus-alertmanager nats-server)

LOG_PREFIX="warroom setup"
# die, say, usage, find_python
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ensure_system_packages() {
  command -v dpkg-query >/dev/null 2>&1 || { say "not a Debian-like system: make sure Qt 6's runtime libraries (EGL, xkbcommon, xcb-cursor) and a CJK font are installed"; return 0; }
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing system packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || die "apt-get update failed (no network to the Debian mirror?)"
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
      die "apt-get install failed for: ${missing[*]}"
  else
    die "missing system packages: ${missing[*]}
    install them with:  sudo apt-get install ${missing[*]}"
  fi
}

ensure_venv() {
  local py stamp want
  py="$(find_python)" || die "Python 3.11-3.13 is required (found: $(python3 --version 2>&1 || echo none)). Install python3.11 or set PYTHON=/path/to/python."
  stamp="$VENV/.warroom-stamp"
  want="$(cat "$ROOT/pyproject.toml" | sha256sum | cut -c1-16) $("$py" -c 'import sys; print(sys.version.split()[0])')"
  if [ -x "$VENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  say "creating the virtual environment in $VENV (first run, or pyproject.toml changed)"
  "$py" -m venv "$VENV" || die "could not create a venv: on Debian, apt-get install python3-venv"
  "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed (no access to PyPI?)"
  "$VENV/bin/python" -m pip install -q -e "$ROOT[test]" || die "installing Python dependencies failed (see pip's message above)"
  echo "$want" > "$stamp"
}

cmd="${1:-}"; shift || true
case "$cmd" in
  setup)
    ensure_system_packages; ensure_venv; say "ready" ;;
  system)  # only the system packages (packaging/pyinstaller/build.sh needs no .venv)
    ensure_system_packages ;;
  test)
    ensure_system_packages; ensure_venv
    cd "$ROOT"
    echo "== import contracts (lint-imports)"
    "$VENV/bin/lint-imports" --config "$ROOT/pyproject.toml"
    echo "== tests (pytest)"
    export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
    exec "$VENV/bin/python" -m pytest "$@" ;;
  demo)
    ensure_system_packages; ensure_venv
    exec "$VENV/bin/warroom" demo "$@" ;;
  warroom)
    ensure_system_packages; ensure_venv
    exec "$VENV/bin/warroom" "$@" ;;
  *)
    usage; exit 2 ;;
esac
