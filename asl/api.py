"""The library's front door: load a definition, check it, build the model, run an execution."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from .diagnostics import Diagnostic
from .errors import DefinitionError, UnvalidatedDefinitionError
from .loader import Document, load_text, read_text
from .model import StateMachine, build_machine
from .model.build import BuildError


def compile_document(document: Document, validate: bool = True, text: str | None = None) -> StateMachine:
    """Validate (errors only) and build a loaded definition; raises DefinitionError.

    Given the file's text, validation of a valid JSON file skips building its source map.
    """
    if validate:
        from .validate import validate as run_validation

        errors = [d for d in run_validation(document, text) if d.severity == "ERROR"]
        if errors:
            raise DefinitionError(document.file, errors)
    try:
        return build_machine(document.data)
    except BuildError as exc:
        diagnostic = Diagnostic("SCHEMA_VALIDATION_FAILED", exc.message, exc.pointer,
                                position=document.source_map.value(exc.pointer))
        raise DefinitionError(document.file, [diagnostic]) from None
    except (TypeError, AttributeError, KeyError, ValueError) as exc:
        if validate:
            raise  # a valid definition that does not build is sfn's bug, not the user's
        raise UnvalidatedDefinitionError(document.file, exc) from None


def load_machine(path: str | Path, validate: bool = True) -> tuple[Document, StateMachine]:
    """Load, validate and build a definition file (JSON or YAML)."""
    # The text goes to validation too: with it, a valid file never pays for line:column positions
    # (a scan that costs several times the parse on large definitions).
    text = read_text(path)
    document = load_text(text, str(path))
    return document, compile_document(document, validate, text)


def machine_from_definition(definition: dict | str, validate: bool = True) -> StateMachine:
    """Build a machine from a dict or JSON/YAML text (for tests and embedding)."""
    import json

    text = definition if isinstance(definition, str) else json.dumps(definition)
    return compile_document(load_text(text, "<definition>"), validate, text)


def run_machine(machine: StateMachine, input: Any = None, *, name: str = "StateMachine",
                clock: str | Any = "virtual", invoker: Any = None,
                listeners: list[Callable] | None = None, execution_name: str | None = None,
                execution_type: str = "STANDARD"):
    """Run one execution to its end and return its ExecutionResult (history included)."""
    from .interp.clock import make_clock
    from .interp.context import ExecutionInfo
    from .interp.machine import Interpreter

    clock_obj = make_clock(clock) if isinstance(clock, str) else clock
    info = ExecutionInfo(machine_name=name, express=execution_type == "EXPRESS")
    if execution_name:
        info.name = execution_name
    interp = Interpreter(machine, clock=clock_obj, info=info, invoker=invoker, listeners=listeners)
    return interp.run({} if input is None else input)
