#!/usr/bin/env bash
# Build the desktop app as one folder that runs without Python: dist/warroom/
#
#   packaging/pyinstaller/build.sh            build dist/warroom/ (start it with dist/warroom/warroom)
#   packaging/pyinstaller/build.sh --smoke    build, then run the smoke test (packaging/pyinstaller/smoke.py)
#
# PyInstaller (pinned below) lives in its own venv, build/pyinstaller-venv, with Warroom's
# runtime dependencies from pyproject.toml and nothing else (no test tools): what is in that
# venv is what can end up in the folder. The venv is rebuilt only when pyproject.toml, the pins
# or the Python version change. Qt's runtime libraries (for the smoke test) and binutils (for
# PyInstaller) come from apt-get when we are root; otherwise the exact command is printed.
# See docs/packaging.md.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BVENV="${WARROOM_BUILD_VENV:-$ROOT/build/pyinstaller-venv}"
WORK="$ROOT/build/pyinstaller-work"
DIST="$ROOT/dist"
# Re-test the smoke test before moving these pins.
PINS=(pyinstaller==6.22.3 pyinstaller-hooks-contrib==2026.9)

LOG_PREFIX="warroom build"
# die, say, usage, find_python
. "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

smoke=0
for arg in "$@"; do
  case "$arg" in
    --smoke) smoke=1 ;;
    *) usage; exit 2 ;;
  esac
done

ensure_tools() {
  # Qt's runtime libraries and fonts: the same list as the developer set-up.
  "$ROOT/packaging/dev/run.sh" system
  command -v objdump >/dev/null 2>&1 && return 0
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing binutils (PyInstaller reads shared libraries with objdump)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends binutils >/dev/null ||
      die "apt-get install binutils failed"
  else
    die "PyInstaller needs objdump: sudo apt-get install binutils"
  fi
}

ensure_build_venv() {
  local py stamp want
  py="$(find_python)" || die "Python 3.11-3.13 is required (set PYTHON=/path/to/python)"
  "$py" -c 'import sysconfig, sys; sys.exit(0 if sysconfig.get_config_var("Py_ENABLE_SHARED") or sys.platform != "linux" else 1)' ||
    say "warning: $py has no shared libpython; PyInstaller may refuse it (use Debian's python3 or a --enable-shared build)"
  stamp="$BVENV/.warroom-build-stamp"
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -c1-16) ${PINS[*]} $("$py" -c 'import sys; print(sys.version.split()[0])')"
  if [ -x "$BVENV/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  say "creating the build venv in $BVENV"
  rm -rf "$BVENV"
  "$py" -m venv "$BVENV" || die "could not create a venv: on Debian, apt-get install python3-venv"
  "$BVENV/bin/python" -m pip install -q --upgrade pip >/dev/null || die "pip upgrade failed (no access to PyPI?)"
  # The runtime dependencies exactly as pyproject.toml pins them; Warroom itself is read from
  # the checkout (the spec's pathex), so the folder always holds the code being built.
  mapfile -t DEPS < <("$BVENV/bin/python" -c '
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    print("\n".join(tomllib.load(f)["project"]["dependencies"]))' "$ROOT/pyproject.toml")
  "$BVENV/bin/python" -m pip install -q "${DEPS[@]}" "${PINS[@]}" || die "installing the build dependencies failed"
  echo "$want" > "$stamp"
}

ensure_tools
ensure_build_venv
cd "$ROOT"
start=$(date +%s)
say "PyInstaller $("$BVENV/bin/python" -m PyInstaller --version) → $DIST/warroom"
"$BVENV/bin/python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$DIST" --workpath "$WORK" packaging/pyinstaller/warroom.spec
[ -x "$DIST/warroom/warroom" ] || die "no executable at $DIST/warroom/warroom"
# Desktop integration travels with the folder: dist/warroom/install.sh puts it in place.
APP_ID=io.github.warroom.Warroom
mkdir -p "$DIST/warroom/share/applications" "$DIST/warroom/share/metainfo" "$DIST/warroom/share/icons"
install -m 644 "packaging/linux/$APP_ID.desktop" "$DIST/warroom/share/applications/"
install -m 644 "packaging/linux/$APP_ID.metainfo.xml" "$DIST/warroom/share/metainfo/"
cp -r resources/icons/hicolor "$DIST/warroom/share/icons/"
install -m 755 packaging/linux/install.sh "$DIST/warroom/install.sh"
say "built $DIST/warroom in $(( $(date +%s) - start )) s: $(du -sh "$DIST/warroom" | cut -f1) ($(find "$DIST/warroom" -type f | wc -l) files)"
if [ "$smoke" -eq 1 ]; then
  "$BVENV/bin/python" "$ROOT/packaging/pyinstaller/smoke.py" "$DIST/warroom"
fi
