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

from .main import main  # noqa: E402 - after the pause, which is the point of this module

__all__ = ["main"]
