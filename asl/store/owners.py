"""Whether the process running an execution is still there: a lock it holds on a file of its own.

A process id says nothing to a process in another PID namespace (a container sharing the folder)
or on another host, and ids are reused. Instead the running process holds an exclusive `flock` on
`STORE-running/ID` from before its execution is recorded RUNNING until it is complete; the kernel
drops the lock when the process ends however it ends (kill -9 too). Another process that can take
the lock knows the owner is gone. Locks of open file descriptions (flock) also conflict within one
process, and this process's own locks are known without asking.
"""

from __future__ import annotations

import fcntl
import os
import re
import uuid

_NAME = r"[0-9a-f]{32}"  # compiled (and cached by re) when another process's lock is looked at
_HELD: dict[str, int] = {}  # this process's locks: name -> descriptor


def folder(store: str | os.PathLike) -> str:
    """The folder of a store's lock files, beside it."""
    return f"{os.fspath(store)}-running"


def take(store: str | os.PathLike) -> str | None:
    """A new lock held by this process; its name, or None where no lock can be had (the pid tells then)."""
    where = folder(store)
    name = uuid.uuid4().hex
    try:
        try:
            os.mkdir(where)
        except FileExistsError:
            if not os.path.isdir(where):
                raise
        fd = os.open(os.path.join(where, name), os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o644)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:  # a file system without locks
        os.close(fd)
        os.unlink(os.path.join(where, name))
        return None
    _HELD[name] = fd
    return name


def release(store: str | os.PathLike, name: str | None) -> None:
    """Give up a lock this process took (its execution is complete)."""
    fd = _HELD.pop(name, None) if name else None
    if fd is None:
        return
    try:
        os.unlink(os.path.join(folder(store), name))
    except OSError:
        pass  # a pruned or moved folder: the lock goes with the descriptor anyway
    os.close(fd)


def alive(store: str | os.PathLike, name: object) -> bool | None:
    """Whether the owner of a lock still runs; None if the name is no lock of ours (use the pid)."""
    if not isinstance(name, str) or not re.fullmatch(_NAME, name):
        return None
    if name in _HELD:
        return True
    path = os.path.join(folder(store), name)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW)
    except FileNotFoundError:
        return False  # released, or never written where this process looks
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    except OSError:
        return None
    finally:
        os.close(fd)
    return False


def forget(store: str | os.PathLike, name: object) -> None:
    """Remove the lock file a process that is gone left behind."""
    if isinstance(name, str) and re.fullmatch(_NAME, name) and name not in _HELD:
        try:
            os.unlink(os.path.join(folder(store), name))
        except OSError:
            pass
