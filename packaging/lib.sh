# Shell functions shared by packaging/dev/run.sh and packaging/pyinstaller/build.sh.
# Source it from a script (bash, set -euo pipefail) after setting LOG_PREFIX, the start of
# every message (e.g. "warroom setup"):
#   . "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

# Stop with a message on stderr.
die() { printf '\n%s: %s\n' "${LOG_PREFIX:-warroom}" "$*" >&2; exit 1; }
# Tell what is happening, on stderr.
say() { printf '%s: %s\n' "${LOG_PREFIX:-warroom}" "$*" >&2; }

# The running script's header comment (after the #! line), without its "# ": its usage.
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1' "$0" | sed 's/^# \{0,1\}//'; }

# The path of a Python 3.11-3.13: $PYTHON if set, else the newest on PATH.
find_python() {
  for cand in "${PYTHON:-}" python3.13 python3.12 python3.11 python3; do
    [ -n "$cand" ] || continue
    if command -v "$cand" >/dev/null 2>&1 &&
       "$cand" -c 'import sys; sys.exit(0 if (3, 11) <= sys.version_info[:2] < (3, 14) else 1)' 2>/dev/null; then
      command -v "$cand"; return 0
    fi
  done
  return 1
}
