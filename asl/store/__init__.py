"""The local store: executions, their history events, stub messages and task tokens, in SQLite.

`.sfn/sfn.db` beside the definition by default. An execution is recorded RUNNING when it starts,
its events as it runs and its end in one transaction (`Recording`); a run whose process is gone
(killed, crashed) is listed ABORTED with what it had recorded. Executions are kept as the
retention says (`retention.py`): by default 90 days, and at most SFN_STORE_MAX_MB of the file.

Opening checks the file is an sfn store, of a version this sfn reads, before changing anything in
it (`schema.py`). A file that is not one, a row that does not decode and anything SQLite refuses
are UserInputErrors naming the file; `Store(path, write=False)` still reads a store that cannot be
written.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import Location, UserInputError
from .database import Store
from .names import check_execution_name
from .recording import Recording
from .retention import Pruned, Retention, parse_duration

__all__ = ["Pruned", "Recording", "Retention", "Store", "check_execution_name", "default_path", "folder_store",
           "parse_duration"]

# The files SQLite and sfn keep beside a store: a link among them would redirect writes elsewhere.
_SIDE_FILES = ("", "-journal", "-wal", "-shm", "-running")


def folder_store(folder: str | Path) -> Path:
    """`.sfn/sfn.db` in a folder; UserInputError if it, `.sfn` or a file beside it is a symbolic link.

    A default store is never reached through a link: one checked into a repository could make any
    run overwrite any file. A store given by path (`--store`) is the user's choice, links included.
    """
    path = Path(folder) / ".sfn" / "sfn.db"
    for link in [path.parent, *(Path(f"{path}{suffix}") for suffix in _SIDE_FILES)]:
        if link.is_symlink():
            raise UserInputError("is a symbolic link: sfn does not follow links to its default store "
                                 "(pass --store PATH to use it)", Location(str(link)))
    return path


def default_path(definition: str | Path) -> Path:
    """`.sfn/sfn.db` in the definition's folder (refused if reached through a symbolic link there)."""
    return folder_store(Path(definition).resolve().parent)
