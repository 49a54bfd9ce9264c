"""Semantic rules the schema cannot express: one small generator per rule, listed in RULES.

Structure and transitions live here; field-level rules (paths, templates, expressions, Choice,
Map, resources) live in rules_fields.py and are appended to RULES at the bottom.
"""

from __future__ import annotations

from typing import Iterator

from ..diagnostics import WARNING, Diagnostic
from .context import Context, Rule, diag
from .suggest import did_you_mean
from .walk import JSONATA, JSONPATH, State

SCHEMA = "SCHEMA_VALIDATION_FAILED"
MISSING_TARGET = "MISSING_TRANSITION_TARGET"
MISSING_END = "MISSING_END_STATE"
DUPLICATE_STATE = "DUPLICATE_STATE_NAME"
UNREACHABLE = "UNREACHABLE_STATE"          # no AWS code: statelint and the language service report it
TOO_DEEPLY_NESTED = "TOO_DEEPLY_NESTED"

# How deeply Parallel branches and Map processors may nest. AWS has the code TOO_DEEPLY_NESTED but
# documents no number (API reference, quotas page); this bound is sfn's own: far beyond any real
# workflow, and below the depth where the recursive schema check would exhaust Python's stack.
MAX_NESTING = 50

TERMINAL_TYPES = ("Succeed", "Fail")
NO_TRANSITION_TYPES = ("Choice", "Succeed", "Fail")
STATE_TYPES = ("Task", "Wait", "Pass", "Succeed", "Fail", "Choice", "Parallel", "Map")


def _transitions(state: State) -> Iterator[tuple[str, str]]:
    """(target name, pointer of the field naming it) for every transition out of a state."""
    body = state.data
    if isinstance(body.get("Next"), str):
        yield body["Next"], state.at("Next")
    if isinstance(body.get("Default"), str):
        yield body["Default"], state.at("Default")
    for field in ("Choices", "Catch"):
        items = body.get(field)
        if isinstance(items, list):
            for i, item in enumerate(items):
                if isinstance(item, dict) and isinstance(item.get("Next"), str):
                    yield item["Next"], state.at(field, i, "Next")


def _targets(state: State) -> list[str]:
    """The target names of _transitions, without their pointers (only an error needs one)."""
    return state.targets()


def duplicate_keys(ctx: Context) -> Iterator[Diagnostic]:
    """A member name repeated in one JSON object: a state name (DUPLICATE_STATE_NAME) or a field."""
    if ctx.source_map is None:
        return
    for ptr in ctx.source_map.duplicate_keys():
        parent, _, name = ptr.rpartition("/")
        if parent.endswith("/States") or parent == "/States":
            yield diag(DUPLICATE_STATE, f"State name '{_unescape(name)}' appears more than once", ptr)
        else:
            yield diag(SCHEMA, f"Field '{_unescape(name)}' appears more than once in the same object", ptr)


def unique_state_names(ctx: Context) -> Iterator[Diagnostic]:
    """A nested state may not reuse the name of a state in an enclosing scope.

    Sibling scopes (two Parallel branches, two Map processors) may reuse names: AWS's language
    service accepts that, while a name shadowing an outer state is rejected (asl-validator).
    """
    by_scope: dict[int, dict[str, State]] = {}
    for state in ctx.states:
        by_scope.setdefault(id(state.scope), {}).setdefault(state.name, state)
    for state in ctx.states:
        outer = state.scope.parent
        while outer is not None:
            first = by_scope.get(id(outer), {}).get(state.name)
            if first is not None:
                yield diag(DUPLICATE_STATE, f"State name '{state.name}' is already used at {first.pointer}; "
                                            "a nested state cannot reuse the name of an enclosing state",
                           state.pointer)
                break
            outer = outer.parent


def transition_targets(ctx: Context) -> Iterator[Diagnostic]:
    """StartAt, Next, Default and Catch Next name a state of the same scope."""
    for scope in ctx.scopes:
        names = scope.states
        start = scope.data.get("StartAt")
        if isinstance(start, str) and names and start not in names:
            yield diag(MISSING_TARGET, f"StartAt '{start}' does not name a state in this scope"
                                       f"{did_you_mean(start, names)}", scope.pointer + "/StartAt")
        for state in ctx.states_of(scope):
            if _all_in(state.targets(), names):
                continue  # the common case: no pointer built
            for target, ptr in _transitions(state):
                if target not in names:
                    yield diag(MISSING_TARGET, f"Missing 'Next' target: '{target}' is not a state in this scope"
                                               f"{did_you_mean(target, names)}", ptr)


def next_or_end(ctx: Context) -> Iterator[Diagnostic]:
    """A state that can transition has exactly one of Next and End: true."""
    for state in ctx.states:
        if state.type not in STATE_TYPES or state.type in NO_TRANSITION_TYPES:
            continue
        has_next = "Next" in state.data
        has_end = state.data.get("End") is True
        if has_next and has_end:
            yield diag(SCHEMA, "End and Next are exclusive: a state either ends the machine or moves on",
                       state.at("End"))
        elif not has_next and not has_end:
            yield diag(MISSING_TARGET, f"State '{state.name}' needs a 'Next' field or \"End\": true",
                       state.pointer)


def terminal_state(ctx: Context) -> Iterator[Diagnostic]:
    """Every scope has at least one terminal state (Succeed, Fail or End: true)."""
    for scope in ctx.scopes:
        states = ctx.states_of(scope)
        if not states:
            continue
        if not any(s.type in TERMINAL_TYPES or s.data.get("End") is True for s in states):
            yield diag(MISSING_END, "No terminal state: at least one state must be a Succeed or Fail state "
                                    "or have \"End\": true", scope.pointer + "/States")


def reachable(ctx: Context) -> Iterator[Diagnostic]:
    """Every state can be reached from StartAt.

    A reachable state whose transitions are broken (a target that names no state, or no Next
    where one is needed) could lead anywhere once fixed: its scope reports no unreachable state
    then, so one typo gives one error instead of one per state downstream of it.
    """
    for scope in ctx.scopes:
        states = {s.name: s for s in ctx.states_of(scope)}
        start = scope.data.get("StartAt")
        if not isinstance(start, str) or start not in states:
            continue  # reported by transition_targets or the schema
        seen = _reached(states, start)
        if seen is None:
            continue  # the broken transition is the one error: the rule that finds it reports it
        for name, state in states.items():
            if name not in seen:
                yield diag(UNREACHABLE, f"State '{name}' cannot be reached from StartAt '{start}'", state.pointer)


def _reached(states: dict, start: str) -> set[str] | None:
    """The names reachable from `start`, or None once a reachable state's way out is broken."""
    seen, todo = {start}, [start]
    while todo:
        state = states[todo.pop()]
        if _broken(state, states):
            return None
        for target in state.targets():
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _all_in(targets: list[str], names: dict) -> bool:
    # A plain loop: rules call this for every state, and a generator costs more than the test.
    for target in targets:
        if target not in names:
            return False
    return True


def _broken(state: State, names: dict) -> bool:
    """Whether a state's way out is unknown: a target naming no state, or a missing Next."""
    if not _all_in(state.targets(), names):
        return True
    body = state.data
    if state.type == "Choice":
        rules = body.get("Choices")
        return not isinstance(rules, list) or any(
            not isinstance(rule, dict) or not isinstance(rule.get("Next"), str) for rule in rules)
    if state.type in TERMINAL_TYPES or body.get("End") is True:
        return False
    return not isinstance(body.get("Next"), str)


def too_deeply_nested(ctx: Context) -> Iterator[Diagnostic]:
    """Parallel / Map states nest at most MAX_NESTING levels deep (reported once per too-deep chain)."""
    for scope in ctx.scopes:
        if scope.depth == MAX_NESTING + 1:
            yield diag(TOO_DEEPLY_NESTED, f"Parallel and Map states are nested more than {MAX_NESTING} levels "
                                          "deep here", scope.pointer)


def too_deep(ctx: Context) -> bool:
    """Whether some scope nests deeper than MAX_NESTING (the schema check is then skipped)."""
    return any(scope.depth > MAX_NESTING for scope in ctx.scopes)


def query_language(ctx: Context) -> Iterator[Diagnostic]:
    """A state cannot go back to JSONPath when the whole machine is JSONata.

    Reported at the state, as AWS's ValidateStateMachineDefinition locates it: the field's value is
    fine on its own, the state conflicts with the machine (a missing field is likewise reported at
    the object lacking it, a field whose own value is wrong at the field)."""
    data = ctx.data
    if not isinstance(data, dict) or data.get("QueryLanguage") != JSONATA:
        return
    for state in ctx.states:
        if state.data.get("QueryLanguage") == JSONPATH:
            yield diag(SCHEMA, "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
                       state.pointer)


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


RULES: list[Rule] = [
    duplicate_keys,
    unique_state_names,
    transition_targets,
    next_or_end,
    terminal_state,
    reachable,
    too_deeply_nested,
    query_language,
]

from . import rules_fields, rules_map  # noqa: E402  (the field and Map rules extend RULES)

RULES += rules_fields.RULES + rules_map.RULES
__all__ = ["RULES", "WARNING"]
