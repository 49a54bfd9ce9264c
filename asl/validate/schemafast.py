"""The schema compiled into yes / no predicates: the cheap path for the common, valid definition.

schemalite's checks build a pointer for every member they enter and collect messages; a valid
definition needs neither. `SchemaPredicates(root).compile(node)` gives `ok(value) -> bool`, true
exactly when schemalite's check for `node` reports no error (tests/validate/test_fastpaths.py
compares the two on every corpus definition and many mutations of them). Only when it says no
does validation run schemalite for the messages. A predicate of None means "always true".
"""

from __future__ import annotations

import re
from typing import Any, Callable, Optional

from .schemalite import _ANNOTATIONS, _EXACT, _discriminator, _same, type_of

Predicate = Optional[Callable[[Any], bool]]
_UNSET = object()


def _all(preds: list[Callable[[Any], bool]]) -> Predicate:
    preds = [p for p in preds if p is not None]
    if not preds:
        return None
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:  # unrolled: the common sizes, without a generator per call
        a, b = preds
        return lambda value: a(value) and b(value)
    if len(preds) == 3:
        a, b, c = preds
        return lambda value: a(value) and b(value) and c(value)
    return lambda value: all(p(value) for p in preds)


class SchemaPredicates:
    """Compiles one schema document; `$ref`s resolve to `#/$defs/...` of that document."""

    def __init__(self, root: dict) -> None:
        self.root = root
        self._refs: dict[str, Predicate] = {}

    def compile(self, node: Any) -> Predicate:
        """A predicate true when `value` satisfies `node` (None: always true)."""
        if node is True or node == {}:
            return None
        if node is False:
            return lambda value: False
        preds: list = []
        for keyword in node:
            if keyword in _ANNOTATIONS or keyword in ("then", "else", "patternProperties", "additionalProperties"):
                continue  # then / else go with `if`; the member keywords with `properties` below
            builder = getattr(self, "_kw_" + keyword.lstrip("$"), None)
            if builder is None:
                raise ValueError(f"schemafast does not implement the keyword {keyword!r}")
            preds.append(builder(node[keyword], node))
        if ("patternProperties" in node or "additionalProperties" in node) and "properties" not in node:
            preds.append(self._members(node))
        return _all(preds)

    def _kw_ref(self, ref: str, node: dict) -> Predicate:
        name = ref[len("#/$defs/"):]
        refs = self._refs
        if not ref.startswith("#/$defs/"):
            raise ValueError(f"schemafast resolves only local $defs references, not {ref!r}")
        if name not in refs:
            refs[name] = _UNSET  # type: ignore[assignment]  # placeholder: recursion
            refs[name] = self.compile(self.root["$defs"][name])
        resolved = refs[name]
        if resolved is None:
            return None
        if resolved is not _UNSET:
            return resolved
        return lambda value: refs[name] is None or refs[name](value)

    def _kw_type(self, expected: str | list[str], node: dict) -> Predicate:
        accepted = {expected} if isinstance(expected, str) else set(expected)
        if "number" in accepted:
            accepted.add("integer")
        exact = _EXACT

        def ok(value: Any) -> bool:
            kind = exact.get(type(value))
            return (kind if kind is not None else type_of(value)) in accepted
        return ok

    def _kw_enum(self, allowed: list, node: dict) -> Predicate:
        if all(type(a) is str for a in allowed):
            names = frozenset(allowed)
            return lambda value: isinstance(value, str) and value in names
        return lambda value: any(_same(value, a) for a in allowed)

    def _kw_const(self, expected: Any, node: dict) -> Predicate:
        return lambda value: _same(value, expected)

    def _kw_required(self, names: list[str], node: dict) -> Predicate:
        return lambda value: not isinstance(value, dict) or all(n in value for n in names)

    def _kw_properties(self, props: dict, node: dict) -> Predicate:
        return self._members(node)

    def _members(self, node: dict) -> Predicate:
        """properties, patternProperties and additionalProperties in one pass over the members."""
        props = {name: self.compile(sub) for name, sub in node.get("properties", {}).items()}
        patterns = [(re.compile(p), self.compile(sub)) for p, sub in node.get("patternProperties", {}).items()]
        extra = node.get("additionalProperties", _UNSET)
        extra_ok = None if extra is _UNSET else self.compile(extra)
        if extra is _UNSET and not patterns:
            checked = {name: sub for name, sub in props.items() if sub is not None}
            if not checked:
                return None

            def known_only(value: Any) -> bool:
                if isinstance(value, dict):
                    for name, sub in checked.items():
                        if name in value and not sub(value[name]):
                            return False
                return True
            return known_only

        def ok(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            for key, item in value.items():
                sub = props.get(key, _UNSET)
                if sub is not _UNSET and sub is not None and not sub(item):
                    return False
                matched = False
                for regex, pattern_ok in patterns:
                    if regex.search(key):
                        matched = True
                        if pattern_ok is not None and not pattern_ok(item):
                            return False
                if sub is _UNSET and not matched and extra is not _UNSET:
                    if extra is False or (extra_ok is not None and not extra_ok(item)):
                        return False
            return True
        return ok

    def _kw_propertyNames(self, names_schema: dict, node: dict) -> Predicate:
        sub = self.compile(names_schema)
        if sub is None:
            return None

        def ok(value: Any) -> bool:
            if isinstance(value, dict):
                for key in value:
                    if not sub(key):
                        return False
            return True
        return ok

    def _kw_minProperties(self, n: int, node: dict) -> Predicate:
        return lambda value: not isinstance(value, dict) or len(value) >= n

    def _kw_items(self, items: Any, node: dict) -> Predicate:
        sub = self.compile(items)
        if sub is None:
            return None
        return lambda value: not isinstance(value, list) or all(sub(item) for item in value)

    def _kw_minItems(self, n: int, node: dict) -> Predicate:
        return lambda value: not isinstance(value, list) or len(value) >= n

    def _kw_maxItems(self, n: int, node: dict) -> Predicate:
        return lambda value: not isinstance(value, list) or len(value) <= n

    def _kw_minLength(self, n: int, node: dict) -> Predicate:
        return lambda value: not isinstance(value, str) or len(value) >= n

    def _kw_maxLength(self, n: int, node: dict) -> Predicate:
        return lambda value: not isinstance(value, str) or len(value) <= n

    def _kw_pattern(self, pattern: str, node: dict) -> Predicate:
        # Compiled when a string first meets it (re's cache): most serve fields a machine rarely has
        # (a Wait's Timestamp: ~0.3 ms to compile at every start).
        return lambda value: not isinstance(value, str) or re.search(pattern, value) is not None

    def _bound(self, limit: float, fails: Callable[[Any, float], bool]) -> Predicate:
        return lambda value: type_of(value) not in ("integer", "number") or not fails(value, limit)

    def _kw_minimum(self, limit: float, node: dict) -> Predicate:
        return self._bound(limit, lambda v, l: v < l)

    def _kw_maximum(self, limit: float, node: dict) -> Predicate:
        return self._bound(limit, lambda v, l: v > l)

    def _kw_exclusiveMinimum(self, limit: float, node: dict) -> Predicate:
        return self._bound(limit, lambda v, l: v <= l)

    def _kw_exclusiveMaximum(self, limit: float, node: dict) -> Predicate:
        return self._bound(limit, lambda v, l: v >= l)

    def _kw_allOf(self, subs: list, node: dict) -> Predicate:
        dispatch = _discriminator(subs)
        if dispatch is not None:  # a switch on one member, as schemalite reads it
            key, table = dispatch
            branches: dict[str, Predicate] = {}  # compiled on first use: most machines use few state types

            def switch(value: Any) -> bool:
                if isinstance(value, dict):
                    tag = value.get(key)
                    if isinstance(tag, str) and tag in table:
                        if tag not in branches:
                            branches[tag] = self.compile(table[tag])
                        branch = branches[tag]
                        if branch is not None:
                            return branch(value)
                return True
            return switch
        return _all([self.compile(s) for s in subs])

    def _kw_anyOf(self, subs: list, node: dict) -> Predicate:
        compiled = [self.compile(s) for s in subs]
        if not compiled or any(c is None for c in compiled):
            return None  # schemalite reports nothing for an empty anyOf either
        return lambda value: any(c(value) for c in compiled)

    def _kw_oneOf(self, subs: list, node: dict) -> Predicate:
        compiled = [self.compile(s) for s in subs]
        if not compiled:
            return None
        return lambda value: sum(1 for c in compiled if c is None or c(value)) == 1

    def _kw_not(self, sub_schema: Any, node: dict) -> Predicate:
        sub = self.compile(sub_schema)
        if sub is None:
            return lambda value: False
        return lambda value: not sub(value)

    def _kw_if(self, condition: Any, node: dict) -> Predicate:
        test = self.compile(condition)
        then = self.compile(node["then"]) if "then" in node else None
        otherwise = self.compile(node["else"]) if "else" in node else None
        if then is None and otherwise is None:
            return None

        def ok(value: Any) -> bool:
            branch = then if test is None or test(value) else otherwise
            return branch is None or branch(value)
        return ok

    def _kw_dependentRequired(self, deps: dict, node: dict) -> Predicate:
        return lambda value: not isinstance(value, dict) or all(
            n in value for name, needed in deps.items() if name in value for n in needed)
