"""How to start one of our Python modules as a child process, frozen or not.

From a checkout or an install, a child is ``python -m module``. A PyInstaller bundle has
no Python beside it and its executable ignores ``-m``: there the child is the bundle's
own executable, ``taskdesk --taskdesk-run module args...``, and the bundle's entry script
calls :func:`maybe_run_module` first thing, before it imports anything of the desktop, so
a backend child never loads Qt.

``celery`` is accepted as a module name in both cases (``python -m celery`` works, and in
a bundle it runs Celery's command line).
"""

from __future__ import annotations

import runpy
import sys
from collections.abc import Sequence

#: The argument that puts a frozen executable in "run this module" mode.
RUN_FLAG = "--taskdesk-run"
#: ``taskdesk-backend``'s exit status when another one already runs on the same data
#: folder; the desktop then waits for that one instead of reporting a failed start.
EXIT_ALREADY_RUNNING = 3


def is_frozen() -> bool:
    """Whether we run from a PyInstaller (or similar) bundle."""
    return bool(getattr(sys, "frozen", False))


def module_command(module: str, *args: str) -> list[str]:
    """The command that runs ``module`` as ``__main__`` with ``args``, in a new process."""
    if is_frozen():
        return [sys.executable, RUN_FLAG, module, *args]
    return [sys.executable, "-m", module, *args]


def maybe_run_module(argv: Sequence[str]) -> None:
    """Run the module ``argv`` names after :data:`RUN_FLAG`, then exit; else return.

    The module runs as ``python -m`` would run it: as ``__main__``, with ``sys.argv`` set
    to its own arguments. Its ``SystemExit`` (or our ``exit(0)`` when it returns) ends
    the process, so nothing after this call runs in module mode.
    """
    if len(argv) < 2 or argv[1] != RUN_FLAG:
        return
    if len(argv) < 3:
        raise SystemExit(f"usage: {argv[0]} {RUN_FLAG} MODULE [ARGS...]")
    module, args = argv[2], list(argv[3:])
    # runpy replaces argv[0] with the module's file, as `python -m` does.
    sys.argv = [module, *args]
    if module == "celery":
        from celery.__main__ import main as celery_main

        celery_main()  # exits
    else:
        runpy.run_module(module, run_name="__main__", alter_sys=True)
    raise SystemExit(0)
