"""sfn's library: load, validate, build and run Amazon States Language state machines.

    from asl import load_machine, run_machine
    document, machine = load_machine("order.asl.json")
    result = run_machine(machine, {"orderId": "42"})
"""

from .api import compile_document, load_machine, machine_from_definition, run_machine

__all__ = ["compile_document", "load_machine", "machine_from_definition", "run_machine"]
