"""`{% expr %}` templates: a definition value compiled once into constants and expressions, and
evaluated many times into plain JSON."""

from __future__ import annotations

from typing import Any, Iterator, Mapping

from jsonata import JException

from .errors import JsonataSyntaxError, QueryEvaluationError, describe, error_cause, subject
from .runtime import Scope, evaluate, parse
from .values import NULL, Unsupported, compact, is_function, plain

OPEN, CLOSE = "{%", "%}"

NO_VARIABLES: Mapping[str, Any] = {}
_MISSING = object()


def is_expression(value: Any) -> bool:
    """Whether a definition value is a JSONata expression: a string that is wholly `{% ... %}`."""
    return (isinstance(value, str) and len(value) >= 4
            and value.startswith(OPEN) and value.endswith(CLOSE))


class _Const:
    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def run(self, scope: Scope, shared: bool) -> Any:
        return self.value


def _decorated(symbol: Any, plain_keys: frozenset) -> bool:
    """Whether a parsed node carries anything beyond the given attributes (predicates, stages,
    grouping, focus / index bindings, keep-array flags, ...)."""
    return any(value not in (None, False, []) for key, value in vars(symbol).items() if key not in plain_keys)


_PLAIN_PATH = frozenset({"_outer_instance", "type", "steps"})
_PLAIN_STEP = frozenset({"_outer_instance", "id", "position", "value", "type"})


def _simple_path(ast: Any) -> tuple[str, tuple[str, ...]] | None:
    """(variable, field names) when the expression is just `$var` or `$var.a.b`: the most common
    expressions, which a few dict lookups answer."""
    if ast.type == "variable":
        steps = [ast]
    elif ast.type == "path" and not _decorated(ast, _PLAIN_PATH):
        steps = ast.steps
    else:
        return None
    for index, step in enumerate(steps):
        if step.type != ("variable" if index == 0 else "name") or not isinstance(step.value, str) \
                or not step.value or _decorated(step, _PLAIN_STEP):
            return None
    return steps[0].value, tuple(step.value for step in steps[1:])


class _Expr:
    __slots__ = ("text", "field", "ast", "path")

    def __init__(self, text: str, field: str, ast: Any) -> None:
        self.text = text
        self.field = field
        self.ast = ast
        self.path = _simple_path(ast)

    def run(self, scope: Scope, shared: bool) -> Any:
        if self.path is not None:
            # Plain dict lookups for `$var.a.b`; anything unusual (an array on the way, a missing
            # key, a function) takes the full evaluation below, which then decides.
            variable, names = self.path
            value = scope.lookup(variable)
            for name in names:
                if type(value) is not dict:
                    break
                value = value.get(name, _MISSING)
                if value is None:
                    value = NULL
            else:
                kind = type(value)
                if kind is dict or kind is list:
                    # Taken whole from $states or a variable (jsonata too returns that very
                    # object, a last-step array included): JSON already, so no walk.
                    return value
                if value is not None and value is not _MISSING and not is_function(value):
                    return plain(value)
        try:
            result = evaluate(self.ast, scope, shared)
        except Exception as exc:  # every failure of an expression is a QueryEvaluationError
            raise QueryEvaluationError(error_cause(exc, self.text, self.field), self.field) from None
        if result is None:
            raise QueryEvaluationError(f"{subject(self.text, self.field)} returned nothing (undefined).",
                                       self.field)
        try:
            return plain(result)
        except Unsupported:
            raise QueryEvaluationError(f"{subject(self.text, self.field)} returned an unsupported "
                                       "result type.", self.field) from None


class _Object:
    __slots__ = ("items",)

    def __init__(self, items: tuple) -> None:
        self.items = items

    def run(self, scope: Scope, shared: bool) -> Any:
        return {key: node.run(scope, shared) for key, node in self.items}


class _Array:
    __slots__ = ("nodes",)

    def __init__(self, nodes: tuple) -> None:
        self.nodes = nodes

    def run(self, scope: Scope, shared: bool) -> Any:
        return [node.run(scope, shared) for node in self.nodes]


def _parse_expression(text: str, field: str) -> Any:
    try:
        return parse(text)
    except JException as err:
        code, sentence = describe(err)
        raise JsonataSyntaxError(sentence, field, text, code, err.location) from None
    except Exception as err:  # the library's parser raises a few plain errors (bad signatures)
        raise JsonataSyntaxError(str(err), field, text) from None


def _compile(value: Any, field: str, found: list) -> Any:
    if isinstance(value, str):
        if not is_expression(value):
            return _Const(value)
        text = value[2:-2].strip()
        node = _Expr(text, field, _parse_expression(text, field))
        found.append(node)
        return node
    if isinstance(value, dict):
        items = tuple((key, _compile(item, f"{field}/{key}", found)) for key, item in value.items())
        if all(isinstance(node, _Const) for _, node in items):
            return _Const(value)
        return _Object(items)
    if isinstance(value, list):
        nodes = tuple(_compile(item, f"{field}[{i}]", found) for i, item in enumerate(value))
        if all(isinstance(node, _Const) for node in nodes):
            return _Const(value)
        return _Array(nodes)
    return _Const(value)


class JsonataField:
    """One field of a JSONata state (Output, Arguments, Assign, Items, Condition, ...), compiled."""

    __slots__ = ("field", "value", "_root", "_shared", "_expressions")

    def __init__(self, value: Any, field: str) -> None:
        found: list[_Expr] = []
        self.field = field
        self.value = value
        self._root = _compile(value, field, found)
        self._shared = len(found) > 1
        self._expressions = tuple(found)

    @property
    def is_constant(self) -> bool:
        """Whether the field holds no expression (evaluate returns the literal itself)."""
        return not self._expressions

    @property
    def expressions(self) -> tuple[tuple[str, str], ...]:
        """(field path, expression text) of every expression, in definition order."""
        return tuple((node.field, node.text) for node in self._expressions)

    @property
    def text(self) -> str:
        """The expression text when the whole field is one expression, else the literal as JSON."""
        if isinstance(self._root, _Expr):
            return self._root.text
        return compact(self.value)

    def evaluate(self, states: Mapping[str, Any], variables: Mapping[str, Any] = NO_VARIABLES) -> Any:
        """The field's value with `$states` and the workflow variables bound."""
        root = self._root
        if type(root) is _Const:
            return root.value
        return root.run(Scope(states, variables), self._shared)

    def __repr__(self) -> str:
        return f"JsonataField({self.field!r}, {self.value!r})"


def compile_template(value: Any, field: str = "Output") -> JsonataField:
    """Compile every `{% %}` expression inside a definition value once; raises JsonataSyntaxError."""
    return JsonataField(value, field)


def iter_expressions(value: Any) -> Iterator[str]:
    """The inner text of every `{% %}` string inside a definition value (for validation)."""
    if is_expression(value):
        yield value[2:-2].strip()
    elif isinstance(value, dict):
        for item in value.values():
            yield from iter_expressions(item)
    elif isinstance(value, list):
        for item in value:
            yield from iter_expressions(item)
