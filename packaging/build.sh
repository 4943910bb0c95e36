#!/bin/sh
# Build the one-folder desktop bundle dist/taskdesk/ (see build.spec); about 40 s.
#
#     packaging/build.sh            build
#     packaging/build.sh --smoke    build, then run the bundle's smoke test (tests/bundle)
#
# PYTHON (default python3) must have the project's dependencies and PyInstaller:
#     pip install -e '.[test]' 'pyinstaller>=6.10'
set -eu
cd "$(dirname "$0")/.."
python=${PYTHON:-python3}
"$python" -m PyInstaller --noconfirm --clean build.spec
du -sh dist/taskdesk
if [ "${1:-}" = "--smoke" ]; then
    "$python" -m pytest -m slow tests/bundle -v
fi
