"""The `sfn` console script's entry point: the collector is paused before anything else is imported.

Importing click and sfn makes only long-lived objects; `main` resumes the collector when the
command's work starts (cli/collector.py). `cli.main` itself pauses nothing when imported (tests,
embedding), so this module is the command line's alone.
"""

import sys

from . import collector

collector.pause()

if sys.argv[1:2] == ["run"]:
    # The handlers' worker starts before click and the engine are imported (see asl/prestart.py).
    from asl.prestart import start_for_run

    start_for_run(sys.argv[2:])

import atexit  # noqa: E402
import os  # noqa: E402
import threading  # noqa: E402

from .main import main as _main  # noqa: E402 - after the pause, which is the point of this module

__all__ = ["main"]


def main() -> None:
    """The console script: `cli.main.main`, then the process ends without tearing the interpreter down.

    Python's finalisation frees every module and object one by one (~2% of a small run) for a
    process that is ending anyway. Once the command is done, its output flushed and the exit
    handlers run (the store closed, handler workers ended), nothing is left for it to do.
    """
    try:
        _main()
        code = 0
    except SystemExit as exc:
        code = exc.code
    if not _quick_exit(code):
        sys.exit(code)


def _quick_exit(code: object) -> bool:
    """End the process now with `code`, if nothing is left that the usual exit would still do."""
    if code is None:
        code = 0
    if not isinstance(code, int) or any(not t.daemon for t in threading.enumerate()
                                        if t is not threading.main_thread()):
        return False  # a message to print, or a thread the usual exit waits for
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the reader went away (`sfn ... | head`): as at a usual exit
            code = code or 120
    os._exit(code)
