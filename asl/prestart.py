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

SUFFIXES = (".yaml", ".yml", ".json")   # of a resources file
_started: dict[str, "Started"] = {}     # folder -> a process started early, until adopted
SIGKILL = 9                             # signal.SIGKILL (importing signal builds its enums: ~1 ms)


class Process:
    """A child process started by os.posix_spawn, its stdin and stdout piped: what sfn uses of
    subprocess.Popen, without importing subprocess (~2.5 ms of every run with handlers)."""

    def __init__(self, args: list[str], env: dict[str, str], pass_fds: tuple[int, ...] = ()) -> None:
        stdin_in, stdin_out = pipe()
        stdout_in, stdout_out = pipe()
        # Only what is inheritable crosses exec: the pipes' ends dup2'ed onto 0 and 1, and pass_fds
        # (every file Python opens is not, PEP 446). Popen's close_fds=True says the same.
        for fd in pass_fds:
            os.set_inheritable(fd, True)
        try:
            self.pid = os.posix_spawn(args[0], args, env, file_actions=[
                (os.POSIX_SPAWN_DUP2, stdin_in, 0), (os.POSIX_SPAWN_DUP2, stdout_out, 1)])
        except BaseException:
            os.close(stdin_out)
            os.close(stdout_in)
            raise
        finally:
            for fd in pass_fds:
                os.set_inheritable(fd, False)
            os.close(stdin_in)
            os.close(stdout_out)
        self.stdin = os.fdopen(stdin_out, "wb")
        self.stdout = os.fdopen(stdout_in, "rb")
        self.returncode: int | None = None

    def poll(self) -> int | None:
        """The exit code (-N for signal N) once the process has ended, else None."""
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: ended, its status unknown (as Popen says)
                self.returncode = 0
            else:
                if pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float) -> int | None:
        """poll() until the process ends or `timeout` seconds pass (then None)."""
        import time

        deadline, pause = time.monotonic() + timeout, 1e-4
        while self.poll() is None:
            if time.monotonic() >= deadline:
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return self.returncode

    def kill(self) -> None:
        """SIGKILL, unless it has ended already."""
        if self.poll() is None:
            try:
                os.kill(self.pid, SIGKILL)
            except ProcessLookupError:
                pass


def pipe() -> tuple[int, int]:
    """os.pipe(), both ends numbered above 2 (a standard stream sfn was started without frees its
    number): in the child, 0 and 1 are the pipes' and a passed end keeps its own."""
    ends = os.pipe()
    if min(ends) > 2:
        return ends
    import fcntl

    moved = (fcntl.fcntl(ends[0], fcntl.F_DUPFD_CLOEXEC, 3), fcntl.fcntl(ends[1], fcntl.F_DUPFD_CLOEXEC, 3))
    for fd in ends:
        os.close(fd)
    return moved


class Started:
    """A worker process and the ends of its callback pipes that sfn keeps."""

    def __init__(self, proc: Process, asks_in: int, answers_out: int) -> None:
        self.proc, self.asks_in, self.answers_out = proc, asks_in, answers_out


def find_resources(definition: str | os.PathLike) -> str | None:
    """The resources file beside a definition, if there is one."""
    folder = os.path.dirname(os.path.realpath(definition))
    stem = os.path.basename(definition).split(".")[0]
    for name in [f"{stem}.resources{s}" for s in SUFFIXES] + [f"resources{s}" for s in SUFFIXES]:
        candidate = os.path.join(folder, name)
        if os.path.isfile(candidate):
            return candidate
    return None


def start(base_dir: str | os.PathLike | None) -> Started:
    """Start a handler worker (`asl/resources/worker.py`) for handler modules in `base_dir`."""
    here = os.path.dirname(os.path.realpath(__file__))
    asl_root = os.path.dirname(here)   # the worker imports this very sfn
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (env.get("PYTHONPATH"), asl_root) if p)
    asks_in, asks_out = pipe()             # the worker's SendTask* requests, to sfn
    answers_in, answers_out = pipe()       # sfn's replies to them
    try:
        proc = Process([sys.executable, "-P", os.path.join(here, "resources", "worker.py"),
                        str(base_dir) if base_dir else "", str(asks_out), str(answers_in)],
                       env, pass_fds=(asks_out, answers_in))
    except BaseException:
        os.close(asks_in)
        os.close(answers_out)
        raise
    finally:
        os.close(asks_out)
        os.close(answers_in)
    return Started(proc, asks_in, answers_out)


def handler_folder(resources: str | os.PathLike) -> str | None:
    """The folder a resources file's handlers are imported from, if the file names any (read as text)."""
    try:
        with open(resources, encoding="utf-8", errors="replace") as handle:
            if "handler" not in handle.read():
                return None
        return os.path.dirname(os.path.realpath(resources))
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
            found = {explicit[-1]}
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


def take(folder: str | os.PathLike | None) -> Started | None:
    """The process started early for `folder`, now the caller's (None if there is none)."""
    return _started.pop(str(folder), None)


@atexit.register
def _end_unadopted() -> None:
    """Processes nobody adopted (the guess was wrong, or the run ended early) end with sfn."""
    for started in _started.values():
        try:
            started.proc.kill()
            started.proc.wait(5)  # no zombie left behind
        except Exception:  # the process may be gone already; exiting goes on regardless
            pass
        for fd in (started.asks_in, started.answers_out):
            try:
                os.close(fd)
            except OSError:
                pass
    _started.clear()
