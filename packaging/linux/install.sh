#!/usr/bin/env bash
# Install (or remove) the built Warroom folder with its launcher, icons and AppStream data.
#
#   install.sh            as root: the whole machine; otherwise: just you
#   install.sh --user     just you, even as root
#   install.sh --uninstall [--user]
#
#                 whole machine (--system)                 just you (--user)
#   app folder    /opt/warroom/                            ~/.local/opt/warroom/
#   command       /usr/local/bin/warroom -> app            ~/.local/bin/warroom -> app
#   launcher      /usr/share/applications/io.github.warroom.Warroom.desktop   ~/.local/share/applications/...
#   AppStream     /usr/share/metainfo/io.github.warroom.Warroom.metainfo.xml ~/.local/share/metainfo/...
#   icons         /usr/share/icons/hicolor/*/apps/io.github.warroom.Warroom.{png,svg}  ~/.local/share/icons/hicolor/...
#
# Run it from the built folder (dist/warroom/install.sh: the build puts it there with the
# launcher and icons under share/) or from packaging/linux/ in a checkout after
# packaging/pyinstaller/build.sh. DESTDIR=/some/dir stages everything under that folder.
# Your configuration, recordings and logs (`warroom paths`) are never touched.
set -euo pipefail

APP_ID="io.github.warroom.Warroom"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
die() { printf 'warroom install: %s\n' "$*" >&2; exit 1; }
say() { printf 'warroom install: %s\n' "$*" >&2; }

mode=""; action=install
for arg in "$@"; do
  case "$arg" in
    --user) mode=user ;;
    --system) mode=system ;;
    --uninstall) action=uninstall ;;
    *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done
[ -n "$mode" ] || { [ "$(id -u)" -eq 0 ] && mode=system || mode=user; }

if [ -x "$HERE/warroom" ] && [ -d "$HERE/_internal" ]; then
  SRC="$HERE"                                  # inside the built folder
else
  SRC="$(cd "$HERE/../.." && pwd)/dist/warroom" # in a checkout
  [ -x "$SRC/warroom" ] || die "no built folder at $SRC: run packaging/pyinstaller/build.sh first"
fi
SHARE_SRC="$SRC/share"

D="${DESTDIR:-}"
if [ "$mode" = system ]; then
  APP="$D/opt/warroom"; BIN="$D/usr/local/bin"; SHARE="$D/usr/share"
  [ -n "$D" ] || [ "$(id -u)" -eq 0 ] || die "--system needs root (sudo $0 --system), or use --user"
else
  APP="$D$HOME/.local/opt/warroom"; BIN="$D$HOME/.local/bin"; SHARE="$D${XDG_DATA_HOME:-$HOME/.local/share}"
fi
# The launcher names the installed executable, without DESTDIR.
EXEC="${APP#"$D"}/warroom"

refresh_caches() {
  [ -n "$D" ] && return 0
  command -v gtk-update-icon-cache >/dev/null 2>&1 && gtk-update-icon-cache -q -t -f "$SHARE/icons/hicolor" 2>/dev/null || true
  command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database -q "$SHARE/applications" 2>/dev/null || true
}

if [ "$action" = uninstall ]; then
  if [ -d "$APP" ]; then
    [ -x "$APP/warroom" ] && [ -d "$APP/_internal" ] || die "$APP does not look like a Warroom folder; not removing it"
    rm -rf "$APP"
  fi
  [ -L "$BIN/warroom" ] && rm -f "$BIN/warroom"
  rm -f "$SHARE/applications/$APP_ID.desktop" "$SHARE/metainfo/$APP_ID.metainfo.xml"
  rm -f "$SHARE"/icons/hicolor/*/apps/"$APP_ID".png "$SHARE/icons/hicolor/scalable/apps/$APP_ID.svg"
  refresh_caches
  say "removed Warroom ($mode); your configuration, recordings and logs stay where \`warroom paths\` showed them"
  exit 0
fi

[ -f "$SHARE_SRC/applications/$APP_ID.desktop" ] || die "no $SHARE_SRC/applications/$APP_ID.desktop: rebuild with packaging/pyinstaller/build.sh"

# The app folder: copied next to the old one, then swapped in, so a failed copy leaves the old one.
mkdir -p "$(dirname "$APP")" "$BIN" "$SHARE/applications" "$SHARE/metainfo" "$SHARE/icons/hicolor"
if [ "$SRC" != "$APP" ]; then
  rm -rf "$APP.new"
  cp -a "$SRC" "$APP.new"
  if [ -d "$APP" ]; then
    [ -x "$APP/warroom" ] && [ -d "$APP/_internal" ] || die "$APP exists and is not a Warroom folder; move it away first"
    rm -rf "$APP.old"; mv "$APP" "$APP.old"
  fi
  mv "$APP.new" "$APP"
  rm -rf "$APP.old"
fi
ln -sfn "$EXEC" "$BIN/warroom"

sed -e "s|^Exec=warroom|Exec=$EXEC|" -e "s|^TryExec=warroom|TryExec=$EXEC|" \
  "$SHARE_SRC/applications/$APP_ID.desktop" > "$SHARE/applications/$APP_ID.desktop"
chmod 644 "$SHARE/applications/$APP_ID.desktop"
install -m 644 "$SHARE_SRC/metainfo/$APP_ID.metainfo.xml" "$SHARE/metainfo/$APP_ID.metainfo.xml"
cp -r "$SHARE_SRC/icons/hicolor/." "$SHARE/icons/hicolor/"
if command -v desktop-file-validate >/dev/null 2>&1; then
  desktop-file-validate "$SHARE/applications/$APP_ID.desktop" || die "the installed launcher does not validate"
fi
refresh_caches

say "installed Warroom ($mode): $EXEC"
say "  command   $BIN/warroom   (make sure $BIN is on your PATH)"
say "  launcher  $SHARE/applications/$APP_ID.desktop"
say "start it from the applications menu or with:  warroom demo   (the simulated platform)"
say "                                               warroom console --url ws://FEED:PORT"
say "set feed_url in the configuration file (warroom paths) so the launcher connects to your feed"
