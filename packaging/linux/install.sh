#!/bin/sh
# Install the Taskdesk bundle for the current user: the `taskdesk` command, the menu
# entry with its icon, and "Open with Taskdesk" for PDFs in file managers.
#
#     ./install.sh             run from the bundle folder (dist/taskdesk/)
#     ./install.sh --default   also make Taskdesk the default application for PDFs
#     ./install.sh --remove    undo
#
# The bundle stays where it is; move it first if you want it elsewhere.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
bin=${XDG_BIN_HOME:-$HOME/.local/bin}
data=${XDG_DATA_HOME:-$HOME/.local/share}
apps=$data/applications
icons=$data/icons/hicolor/scalable/apps

refresh() {
    command -v update-desktop-database >/dev/null && update-desktop-database -q "$apps" || true
    command -v gtk-update-icon-cache >/dev/null \
        && gtk-update-icon-cache -q -t "$data/icons/hicolor" 2>/dev/null || true
}

if [ "${1:-}" = "--remove" ]; then
    rm -f "$bin/taskdesk" "$apps/taskdesk.desktop" "$icons/taskdesk.svg"
    refresh
    echo "Taskdesk removed from menus (the bundle and your data folder are untouched)."
    exit 0
fi

[ -x "$here/taskdesk" ] || { echo "run me from the bundle folder (dist/taskdesk)" >&2; exit 1; }
mkdir -p "$bin" "$apps" "$icons"
ln -sf "$here/taskdesk" "$bin/taskdesk"
# An absolute Exec: a desktop session's PATH often lacks ~/.local/bin.
sed -e "s|^Exec=taskdesk|Exec=\"$here/taskdesk\"|" -e "s|^TryExec=taskdesk|TryExec=$here/taskdesk|" \
    "$here/taskdesk.desktop" > "$apps/taskdesk.desktop"
if [ -f "$here/_internal/resources/taskdesk.svg" ]; then
    cp "$here/_internal/resources/taskdesk.svg" "$icons/taskdesk.svg"
fi
refresh
if [ "${1:-}" = "--default" ]; then
    xdg-mime default taskdesk.desktop application/pdf
fi
echo "Installed: run 'taskdesk', find Taskdesk in the menu, or 'Open with Taskdesk' on a PDF."
