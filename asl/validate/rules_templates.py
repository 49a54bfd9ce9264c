"""Payload template rules: `.$` members, keys given twice, variable names and their scopes."""

from __future__ import annotations

import re
from typing import Any, Iterator

from ..diagnostics import WARNING, Diagnostic
from ..source import escape_pointer_token
from . import expressions as ex
from .context import Context, diag
from .context import dict_items as _items
from .walk import Fields

SCHEMA = "SCHEMA_VALIDATION_FAILED"
TEMPLATE_FIELDS = ("Parameters", "ResultSelector", "ItemSelector", "Assign")


_VARIABLE = r"^[A-Za-z_][A-Za-z0-9_]*$"
MAX_VARIABLE_NAME = 80  # characters (the guide, "Variable name syntax")
# What AWS's warnings call "looks like a path": `$.x`, `$[0]`, `$$.Execution`, `$$`, or an
# intrinsic call. A bare "$" is left out: as a literal it is far more often a currency sign.
# (Compiled at import: every template's literal strings are tested, in any run.)
_PATH_LIKE = re.compile(r"^(?:\$\$?[.\[]|\$\$$)")
_INTRINSIC_LIKE = re.compile(r"^States\.[A-Za-z0-9]+\s*\(")


def looks_like_path(value: Any) -> bool:
    """Whether a literal string looks like a JSONPath or an intrinsic call (AWS's warning heuristic)."""
    return isinstance(value, str) and bool(_PATH_LIKE.match(value) or _INTRINSIC_LIKE.match(value))


def payload_templates(ctx: Context) -> Iterator[Diagnostic]:
    """`.$` keys of payload templates hold paths or intrinsic calls; no key is given twice."""
    for state in ctx.states:
        body = state.data
        jsonata = state.jsonata
        if not _TEMPLATE_READS.any_in(body):
            continue  # no template anywhere in this state
        fields: list[tuple[Any, tuple]] = []
        fields += [(body[n], (n,)) for n in (_JSONATA_TEMPLATES if jsonata else _JSONPATH_TEMPLATES).present(body)]
        if not jsonata and _NESTED_TEMPLATE_HOLDERS.any_in(body):
            for parent in ("ItemReader", "ResultWriter"):
                if isinstance(body.get(parent), dict) and "Parameters" in body[parent]:
                    fields.append((body[parent]["Parameters"], (parent, "Parameters")))
            if isinstance(body.get("ItemBatcher"), dict) and "BatchInput" in body["ItemBatcher"]:
                fields.append((body["ItemBatcher"]["BatchInput"], ("ItemBatcher", "BatchInput")))
            if "Credentials" in body:
                fields.append((body["Credentials"], ("Credentials",)))
        if _ASSIGN_HOLDERS.any_in(body):
            fields += _assign_fields(state)[1 if "Assign" in body else 0:]  # the state's own Assign is in already
        for value, tokens in fields:
            assign = tokens[-1] == "Assign"
            if not _template_clean(value, not jsonata, assign):  # the cheap path first: most are clean
                yield from _template(value, state.at(*tokens), evaluate=not jsonata, assign=assign)


_JSONPATH_TEMPLATES = Fields(TEMPLATE_FIELDS)
_JSONATA_TEMPLATES = Fields(("Assign", "ItemSelector"))
_NESTED_TEMPLATE_HOLDERS = Fields(("ItemReader", "ResultWriter", "ItemBatcher", "Credentials"))
_ASSIGN_HOLDERS = Fields(("Choices", "Catch"))
# Every top-level field payload_templates reads.
_TEMPLATE_READS = Fields(TEMPLATE_FIELDS + _NESTED_TEMPLATE_HOLDERS.names + _ASSIGN_HOLDERS.names)


def _assign_fields(state: Any) -> list[tuple[Any, tuple]]:
    """(value, tokens) of every Assign of a state: its own, its Choice rules' and its Catchers'."""
    body = state.data
    fields = [(body["Assign"], ("Assign",))] if "Assign" in body else []
    for parent in _ASSIGN_HOLDERS.present(body):
        fields += [(item["Assign"], (parent, i, "Assign")) for i, item in _items(body[parent]) if "Assign" in item]
    return fields


def variable_scopes(ctx: Context) -> Iterator[Diagnostic]:
    """A variable assigned in a Parallel branch or Map processor is not also assigned outside it.

    The guide ("Variable scope"): once the top level assigns `myVariable`, no scope inside a Map
    or Parallel can assign it too. A Catch's Assign belongs to the scope of its state.
    """
    assigned: dict[int, dict[str, str]] = {}  # scope -> variable -> pointer of its first assignment
    for state in ctx.states:
        if "Assign" not in state.data and not _ASSIGN_HOLDERS.any_in(state.data):
            continue  # assigns nothing
        for value, tokens in _assign_fields(state):
            if isinstance(value, dict):
                for key in value:
                    name = key[:-2] if key.endswith(".$") and not state.jsonata else key
                    assigned.setdefault(id(state.scope), {}).setdefault(
                        name, state.at(*tokens) + "/" + escape_pointer_token(key))
    for scope in ctx.scopes:
        outer = scope.parent
        while outer is not None:
            for name, ptr in assigned.get(id(scope), {}).items():
                first = assigned.get(id(outer), {}).get(name)
                if first is not None:
                    yield diag(SCHEMA, f"The variable '{name}' is already assigned in an enclosing scope (at "
                                       f"{first}); a Parallel branch or Map iteration cannot assign it", ptr)
            outer = outer.parent


def _template(value: Any, ptr: str, evaluate: bool, assign: bool) -> Iterator[Diagnostic]:
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, (dict, list)):  # only containers can hold a problem
                yield from _template(item, f"{ptr}/{i}", evaluate, False)
        return
    if not isinstance(value, dict):
        return
    bases: dict[str, str] = {}
    for key, item in value.items():
        # A member's pointer is built only for a diagnostic or a nested container.
        dynamic = evaluate and key.endswith(".$")
        base = key[:-2] if dynamic else key
        if base in bases:
            yield diag(SCHEMA, f"Field '{base}' is given twice ('{bases[base]}' and '{key}')", _child(ptr, key))
        bases[base] = key
        if assign and base == "states":
            yield diag(SCHEMA, "'states' is reserved: $states holds the state's input, result and context",
                       _child(ptr, key))
        elif assign and len(base) > MAX_VARIABLE_NAME:
            yield diag(SCHEMA, f"The variable name '{base[:20]}...' is {len(base)} characters long; the most "
                               f"is {MAX_VARIABLE_NAME}", _child(ptr, key))
        elif assign and not re.match(_VARIABLE, base):
            # Only a warning: the guide asks for Unicode identifiers, yet asl-validator's suite accepts
            # 'top-level'; either way `$top-level` cannot be read back in a path or an expression.
            yield diag("INVALID_VARIABLE_NAME", f"'{base}' cannot be referenced as a variable ($name takes "
                                                "letters, digits and _)", _child(ptr, key), WARNING)
        if dynamic:
            problem = ex.path_or_intrinsic_error(item)
            if problem:
                # AWS's words (CreateStateMachine), then what is wrong with this value.
                yield diag(SCHEMA, f"The value for the field '{key}' must be a valid JSONPath or a valid "
                                   f"intrinsic function call ({problem})",
                           _child(ptr, key))
        elif isinstance(item, (dict, list)):
            yield from _template(item, _child(ptr, key), evaluate, False)
        elif evaluate and looks_like_path(item):
            # AWS: "No .$ on a field that appears to be a JSONPath or Intrinsic Function".
            what = "an intrinsic function call" if _INTRINSIC_LIKE.match(item) else "a path"
            yield diag("NO_DOLLAR", f"'{key}' holds '{item}', which looks like {what} but is passed "
                                    f"as a literal string: name the field '{key}.$' to evaluate it",
                       _child(ptr, key), WARNING)


def _template_clean(value: Any, evaluate: bool, assign: bool) -> bool:
    """Whether _template would report nothing for `value` (no pointers, no messages)."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)) and not _template_clean(item, evaluate, False):
                return False
        return True
    if not isinstance(value, dict):
        return True
    bases = set()
    for key, item in value.items():
        dynamic = evaluate and key.endswith(".$")
        base = key[:-2] if dynamic else key
        if base in bases:
            return False
        bases.add(base)
        if assign and (base == "states" or len(base) > MAX_VARIABLE_NAME or not re.match(_VARIABLE, base)):
            return False
        if dynamic:
            if ex.path_or_intrinsic_error(item):
                return False
        elif isinstance(item, (dict, list)):
            if not _template_clean(item, evaluate, False):
                return False
        elif evaluate and looks_like_path(item):
            return False
    return True


def _child(ptr: str, key: str) -> str:
    return ptr + "/" + escape_pointer_token(key)
