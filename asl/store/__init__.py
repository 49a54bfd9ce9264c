"""The local store: executions, their history events, stub messages and task tokens, in SQLite.

One store per user by default (`default_path`). An execution is recorded RUNNING when it starts,
its events as it runs and its end in one transaction (`Recording`); a run whose process is gone
(killed, crashed) is listed ABORTED with what it had recorded. Executions are kept as the
retention says (`retention.py`): by default 90 days, and at most SFN_STORE_MAX_MB of the file.

Opening checks the file is an sfn store, of a version this sfn reads, before changing anything in
it (`schema.py`). A file that is not one, a row that does not decode and anything SQLite refuses
are UserInputErrors naming the file; `Store(path, write=False)` still reads a store that cannot be
written.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ..errors import Location, UserInputError
from .database import Store
from .names import check_execution_name
from .recording import Recording
from .retention import Pruned, Retention, parse_duration

if TYPE_CHECKING:  # the run's path uses default_file: pathlib (with urllib.parse) is ~4 ms of a start
    from pathlib import Path

__all__ = ["Pruned", "Recording", "Retention", "Store", "check_execution_name", "STORE_VARIABLE", "default_file",
           "default_path", "parse_duration"]

# The files SQLite and sfn keep beside a store: a link among them would redirect writes elsewhere.
_SIDE_FILES = ("", "-journal", "-wal", "-shm", "-running")


STORE_VARIABLE = "SFN_STORE"


def default_path() -> Path:
    """default_file() as a Path."""
    from pathlib import Path

    return Path(default_file())


def default_file() -> str:
    """The store every command uses by default: `$SFN_STORE`, else sfn/sfn.db in the user's state folder.

    One per user rather than one per folder, so `sfn executions` or `sfn task success` finds what
    `sfn run` recorded whatever folder either runs in. `$SFN_STORE` is the user's choice, links
    included; the state folder's store is never reached through a symbolic link (UserInputError):
    a link there would redirect every run's writes elsewhere.
    """
    chosen = os.environ.get(STORE_VARIABLE)
    if chosen:
        return os.path.expanduser(chosen)
    state = os.environ.get("XDG_STATE_HOME") or os.path.expanduser("~/.local/state")
    path = os.path.join(state, "sfn", "sfn.db")
    for link in [os.path.dirname(path), *(f"{path}{suffix}" for suffix in _SIDE_FILES)]:
        if os.path.islink(link):
            raise UserInputError("is a symbolic link: sfn does not follow links to its default store "
                                 "(pass --store PATH or set SFN_STORE to use it)", Location(link))
    return path
