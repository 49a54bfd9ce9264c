"""sfn's library: load, validate, build and run Amazon States Language state machines.

    from asl import load_machine, run_machine
    document, machine = load_machine("order.asl.json")
    result = run_machine(machine, {"orderId": "42"})

Names load on first use, so `sfn validate` pays only for what validation imports.
"""

from __future__ import annotations

from typing import Any

# The one place the version is written: setup.cfg reads it (`attr:`), `sfn --version` prints it
# without importlib.metadata (which costs a run ~13 ms of start-up).
__version__ = "0.1.0"

__all__ = ["compile_document", "load_machine", "machine_from_definition", "run_machine"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import api

        return getattr(api, name)
    raise AttributeError(f"module 'asl' has no attribute {name!r}")
