"""The compiled fast paths of templates and intrinsics against the plain evaluations, on random inputs.

Templates read `$` paths straight from the document and intrinsic calls run unrolled closures;
the plain forms (a resolver per path text, the generic argument check loop, the json module's own
entry points, the uuid module) must give the same values and the same errors with the same causes.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import uuid
from typing import Any

import pytest

from asl import deepjson
from asl.errors import StateEvaluationError
from asl.expr.intrinsics import FUNCTIONS, IntrinsicSyntaxError, compiler, functions, is_intrinsic, parse
from asl.expr.jsonpath import PathNotFound, compile_path
from asl.expr.template import TemplateError, compact_json, compile_template

SEEDS = range(300)
NAMES = ["a", "b", "list", "obj", "s", "n", "f", "t", "nil", "json", "csv"]


def random_value(rng: random.Random, depth: int = 0) -> Any:
    """A JSON value, with the scalars intrinsic functions care about (and some they refuse)."""
    kinds = ["int", "float", "str", "bool", "null"] + (["list", "dict"] * 2 if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "int":
        return rng.choice([0, 1, -1, 7, 2**31 - 1, 2**31, -(2**33), rng.randint(-50, 50)])
    if kind == "float":
        return rng.choice([0.5, -1.5, 2.5, 1e20, 1.0, -0.0, float("inf"), rng.uniform(-9, 9)])
    if kind == "str":
        return rng.choice(["", "x", "a,b,,c", "é{}", "{\"k\": [1, 2]}", "aGk=", "NaN", " ", "\ufeff1",
                           "[1, 2.5]", "Order {} {}", "1e999"])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "null":
        return None
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 5))]
    return {rng.choice(NAMES): random_value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def random_doc(rng: random.Random) -> dict:
    doc = {name: random_value(rng) for name in NAMES if rng.random() < 0.8}
    doc["list"] = [rng.randint(-3, 12) for _ in range(rng.randint(0, 14))]
    return doc


def random_path(rng: random.Random) -> str:
    root = rng.choice(["$", "$", "$", "$$", "$var"])
    steps = "".join(rng.choice([f".{rng.choice(NAMES)}", f"[{rng.randint(0, 3)}]", ".list", ".obj"])
                    for _ in range(rng.randint(0 if root != "$" else 1, 2)))
    if rng.random() < 0.05:
        steps += "[*]"
    return root + steps


def literal(rng: random.Random) -> str:
    return rng.choice(["'x'", "'a,b'", "'SHA-256'", "'MD5'", "'Order {} and {}'", "'{}'", "1", "4", "-2", "2.5",
                       "0", "true", "false", "null", "'{\"k\": 1}'", "'aGk='"])


def random_call(rng: random.Random, depth: int = 0) -> str:
    spec = FUNCTIONS[rng.choice(sorted(FUNCTIONS))]
    count = rng.randint(spec.min_args, spec.max_args if spec.max_args is not None else 4)
    if rng.random() < 0.1:
        count += rng.choice([-1, 1])
    args = []
    for _ in range(max(count, 0)):
        roll = rng.random()
        args.append(random_path(rng) if roll < 0.5 else
                    random_call(rng, depth + 1) if roll < 0.65 and depth < 2 else literal(rng))
    return f"{spec.name}({', '.join(args)})"


def outcome(fn: Any) -> tuple:
    """A value or the error it raised, comparable across evaluations (NaN-safe)."""
    try:
        return ("value", json.dumps(fn(), allow_nan=True))
    except StateEvaluationError as exc:
        return ("error", type(exc).__name__, exc.name, exc.cause, getattr(exc, "detail", None))
    except Exception as exc:  # anything else must escape both ways alike
        return ("raised", type(exc).__name__, str(exc))


class Env:
    """The interpreter's view of a document: `$` the doc, `$$` a context, `$var` a variable."""

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.context = {"Execution": {"Name": "e"}, "list": [1, 2], "a": "ctx"}
        self.variables = {"var": {"a": 1, "list": [3, 3, 1], "s": "v"}}

    def resolve(self, path: Any) -> Any:
        """As Scope.resolve does."""
        if path.root == "$":
            return path.find(self.doc)
        if path.root == "$$":
            return path.find(self.context)
        if path.variable not in self.variables:
            raise PathNotFound(path.text)
        return path.find(self.variables[path.variable])

    def by_text(self, text: str) -> Any:
        """The plain resolver intrinsic calls take: a path's text, AWS's sentence when missing."""
        try:
            return self.resolve(compile_path(text))
        except PathNotFound:
            raise StateEvaluationError(
                f"The JsonPath argument for the field '{text}' could not be found in the input "
                f"'{compact_json(self.doc)}'") from None


def plain_template(value: Any, env: Env) -> Any:
    """A template evaluated the plain way: walk the raw JSON, resolve every `.$` value by its text."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if not key.endswith(".$"):
                out[key] = plain_template(item, env)
            elif is_intrinsic(item):
                out[key[:-2]] = parse(item).evaluate(env.by_text)
            else:
                try:
                    out[key[:-2]] = env.resolve(compile_path(item))
                except PathNotFound:
                    raise StateEvaluationError(
                        f"The JSONPath '{item}' specified for the field '{key}' could not be found "
                        f"in the input '{compact_json(env.doc)}'") from None
        return out
    if isinstance(value, list):
        return [plain_template(item, env) for item in value]
    return value


def random_template(rng: random.Random, depth: int = 0) -> Any:
    if depth < 2 and rng.random() < 0.3:
        return [random_template(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    template: dict = {}
    for index in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.35:
            template[f"k{index}.$"] = random_path(rng)
        elif roll < 0.7:
            template[f"k{index}.$"] = random_call(rng)
        elif roll < 0.85 and depth < 2:
            template[f"k{index}"] = random_template(rng, depth + 1)
        else:
            template[f"k{index}"] = random_value(rng)
    return template


@pytest.mark.parametrize("seed", SEEDS)
def test_compiled_templates_evaluate_as_the_plain_walk(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(5):
        raw = random_template(rng)
        try:
            template = compile_template(raw)
        except TemplateError:
            continue
        for _ in range(4):
            env = Env(random_doc(rng))
            fast = outcome(lambda: template.evaluate(env.resolve, env.doc))
            plain = outcome(lambda: plain_template(raw, env))
            if "UUID" in json.dumps(raw) or "MathRandom" in json.dumps(raw):
                assert fast[0] == plain[0]  # random values: the same kind of outcome
            else:
                assert fast == plain, raw


@pytest.mark.parametrize("seed", SEEDS)
def test_unrolled_calls_check_and_fail_as_the_generic_loop(seed: int, monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(seed)
    calls = []
    for _ in range(8):
        text = random_call(rng)
        if "UUID" in text or "MathRandom" in text:
            continue
        try:
            calls.append((text, parse(text)))
        except IntrinsicSyntaxError:
            continue
    envs = [Env(random_doc(rng)) for _ in range(4)]
    fast = [outcome(lambda: call.evaluate(env.by_text)) for _, call in calls for env in envs]
    monkeypatch.setattr(compiler, "_specialised", lambda *args: None)
    generic = [outcome(lambda: parse(text).evaluate(env.by_text)) for text, _ in calls for env in envs]
    assert fast == generic


def test_every_shape_of_unrolled_call_is_exercised() -> None:
    """The random calls above reach 0 to 3 arguments with and without type checks."""
    arities = {len(spec.params) for spec in FUNCTIONS.values()}
    assert {0, 1, 2, 3} <= arities


@pytest.mark.parametrize("seed", SEEDS)
def test_json_to_string_writes_what_the_json_encoder_writes(seed: int) -> None:
    rng = random.Random(seed)
    for value in [random_value(rng) for _ in range(10)] + [float("nan"), [math.inf], {"k": -math.inf}]:
        assert outcome(lambda: functions.json_to_string(value)) == \
            outcome(lambda: functions._COMPACT.encode(value))


def plain_string_to_json(text: str) -> Any:
    """string_to_json as json.loads with the same hooks would read it."""
    if not text.strip():
        return None
    try:
        return json.loads(text, parse_constant=functions._reject_constant, parse_float=deepjson.finite_float)
    except ValueError as exc:
        raise ValueError(f"the string is not valid JSON: {exc}") from None


@pytest.mark.parametrize("seed", SEEDS)
def test_string_to_json_reads_what_json_loads_reads(seed: int) -> None:
    rng = random.Random(seed)
    texts = [json.dumps(random_value(rng)) for _ in range(5)] + [
        "\ufeff{}", "\ufeff", "NaN", "[1, Infinity]", "1e999", "{\"a\": 1} x", "[1, 2", "'x'", " 1 ", "-0.0"]
    for text in texts + [text[: rng.randint(0, len(text))] for text in texts]:
        assert outcome(lambda: functions.string_to_json(text)) == outcome(lambda: plain_string_to_json(text))


def test_uuid4_writes_what_the_uuid_module_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(7)
    for _ in range(500):
        raw = bytes(rng.getrandbits(8) for _ in range(16))
        monkeypatch.setattr(os, "urandom", lambda n, raw=raw: raw)
        assert functions.uuid4() == str(uuid.UUID(bytes=raw, version=4))
    monkeypatch.undo()
    text = functions.uuid4()
    assert re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", text)
    assert functions.uuid4() != text


@pytest.mark.parametrize("seed", SEEDS)
def test_unrolled_path_finders_select_what_the_plain_walk_selects(seed: int) -> None:
    rng = random.Random(seed)
    paths = ["$" + "".join(rng.choice([".a", ".b", ".obj", ".list", "[0]", "[-1]", "[*]", "['a']"])
                           for _ in range(rng.randint(0, 4))) for _ in range(10)]
    for text in paths:
        path = compile_path(text)
        for doc in [random_doc(rng), random_value(rng), {"a": {"a": {"a": None}}, "b": []}]:
            assert outcome(lambda: path.find(doc)) == outcome(lambda: path.plain_find(doc)), text
            for value in (doc.values() if isinstance(doc, dict) else ()):
                assert outcome(lambda: path.find(value)) == outcome(lambda: path.plain_find(value)), text
