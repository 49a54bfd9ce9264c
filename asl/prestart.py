"""The handler worker's process started ahead of need: by `sfn run` before it imports click and its engine.

A worker's start-up (a Python process, ~25 ms) then runs on the other core while sfn starts, and
the worker warms up before its first call instead of during it. Standard library only, and
nothing of sfn's: `asl.resources` (which `asl.resources.process` belongs to) imports much of it.
The guess is only a hint: `asl.resources.process.prestart_for` adopts the process when it is for
the folder of the resources file the run really uses; any other ends at exit.
"""

from __future__ import annotations

import atexit
import os
import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess

SUFFIXES = (".yaml", ".yml", ".json")   # of a resources file
_started: dict[str, "Started"] = {}     # folder -> a process started early, until adopted


class Started:
    """A worker process and the ends of its callback pipes that sfn keeps."""

    def __init__(self, proc: "subprocess.Popen", asks_in: int, answers_out: int) -> None:
        self.proc, self.asks_in, self.answers_out = proc, asks_in, answers_out


def find_resources(definition: str | Path) -> Path | None:
    """The resources file beside a definition, if there is one."""
    folder = Path(definition).resolve().parent
    stem = Path(definition).name.split(".")[0]
    for name in [f"{stem}.resources{s}" for s in SUFFIXES] + [f"resources{s}" for s in SUFFIXES]:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def start(base_dir: Path | None) -> Started:
    """Start a handler worker (`asl/resources/worker.py`) for handler modules in `base_dir`."""
    import subprocess

    asl_root = str(Path(__file__).resolve().parents[1])   # the worker imports this very sfn
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), asl_root) if p)
    asks_in, asks_out = os.pipe()          # the worker's SendTask* requests, to sfn
    answers_in, answers_out = os.pipe()    # sfn's replies to them
    try:
        proc = subprocess.Popen(
            [sys.executable, "-P", str(Path(__file__).with_name("resources") / "worker.py"),
             str(base_dir) if base_dir else "", str(asks_out), str(answers_in)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, close_fds=True,
            pass_fds=(asks_out, answers_in))
    except BaseException:
        os.close(asks_in)
        os.close(answers_out)
        raise
    finally:
        os.close(asks_out)
        os.close(answers_in)
    return Started(proc, asks_in, answers_out)


def handler_folder(resources: str | Path) -> Path | None:
    """The folder a resources file's handlers are imported from, if the file names any (read as text)."""
    try:
        path = Path(resources)
        if "handler" not in path.read_text(encoding="utf-8", errors="replace"):
            return None
        return path.resolve().parent
    except (OSError, ValueError):
        return None


def start_for_run(args: list[str]) -> None:
    """Start a worker for the resources file that `sfn run ARGS` will use, when the arguments tell it.

    The file is `--resources FILE`, else the one beside the definition: the arguments are not
    parsed yet (click does that later), so every existing file among them is asked, and a worker
    starts only when they agree on one resources file.
    """
    explicit = [arg.partition("=")[2] for arg in args if arg.startswith("--resources=")]
    explicit += [value for option, value in zip(args, args[1:]) if option == "--resources"]
    try:
        if explicit:
            found = {Path(explicit[-1])}
        else:
            found = {find_resources(arg) for arg in args if not arg.startswith("-") and os.path.isfile(arg)}
            found.discard(None)
    except (OSError, ValueError):
        return
    if len(found) != 1:
        return
    folder = handler_folder(found.pop())
    if folder is None or str(folder) in _started:
        return
    try:
        _started[str(folder)] = start(folder)
    except (OSError, ValueError):
        return  # the run starts its worker itself, and reports what keeps it from starting


def take(folder: Path | None) -> Started | None:
    """The process started early for `folder`, now the caller's (None if there is none)."""
    return _started.pop(str(folder), None)


@atexit.register
def _end_unadopted() -> None:
    """Processes nobody adopted (the guess was wrong, or the run ended early) end with sfn."""
    for started in _started.values():
        try:
            started.proc.kill()
            started.proc.wait(5)
        except Exception:  # the process may be gone already; exiting goes on regardless
            pass
        for fd in (started.asks_in, started.answers_out):
            try:
                os.close(fd)
            except OSError:
                pass
    _started.clear()
