"""Python's cyclic garbage collector around a command: paused while sfn starts, resumed for the work.

Start-up (imports, the parsed definition, the store opened) makes long-lived objects only: the
collections their allocations trigger walk them again and again and free nothing, ~2 ms of a small
run. Resumed, the collector never walks them again: they are frozen into the permanent generation.
"""

from __future__ import annotations

import gc

_paused = False


def pause() -> None:
    """Stop collecting until `resume` (nothing happens if the collector is off already)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume() -> None:
    """Collect again, as before `pause`, without ever walking what exists now; a no-op unless paused."""
    global _paused
    if _paused:
        _paused = False
        gc.freeze()   # also resets the allocation count: the first collection is not one over all of start-up
        gc.enable()
