"""A definition file, loaded, validated and built into the typed model once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .diagnostics import Diagnostic
from .errors import DefinitionError, UnvalidatedDefinitionError
from .loader import DEFINITION_LIMIT, Document, load_text, read_text
from .model import StateMachine, build_machine
from .model.build import BuildError

if TYPE_CHECKING:  # annotations only: pathlib (with urllib.parse) is ~4 ms of a run's start
    from pathlib import Path


def compile_document(document: Document, validate: bool = True, text: str | None = None) -> StateMachine:
    """Validate (errors only) and build a loaded definition; raises DefinitionError.

    Given the file's text, validation of a valid JSON file skips building its source map.
    """
    if validate:
        from .validate import validate as run_validation

        errors = run_validation(document, text, errors_only=True)
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
    text = read_text(path, DEFINITION_LIMIT)
    document = load_text(text, str(path))
    return document, compile_document(document, validate, text)


def machine_from_definition(definition: dict | str, validate: bool = True) -> StateMachine:
    """Build a machine from a dict or JSON/YAML text (for tests and embedding)."""
    import json

    text = definition if isinstance(definition, str) else json.dumps(definition)
    return compile_document(load_text(text, "<definition>"), validate, text)
