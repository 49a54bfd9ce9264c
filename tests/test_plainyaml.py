"""plainyaml reads what it reads exactly as PyYAML's safe loader does, and leaves the rest to it."""

from __future__ import annotations

import random
import subprocess
import sys

import pytest
import yaml

from asl import plainyaml
from asl.source import yaml_positions

# (text, what plainyaml gives: the value, or None when it leaves the text to PyYAML)
CASES = [
    ("handlers:\n  a: m:f\n  b-c: pkg.mod:fn\n", {"handlers": {"a": "m:f", "b-c": "pkg.mod:fn"}}),
    ("# c\n\na: 1\nb: -2\nc: 0\nd:\ne: x # note\nf: #only\n", {"a": 1, "b": -2, "c": 0, "d": None, "e": "x",
                                                               "f": None}),
    ("a:\n  b:\n    c: x\n  d: y\ne: z\n", {"a": {"b": {"c": "x"}, "d": "y"}, "e": "z"}),
    ("url: http://h/p\npath: /tmp/x_y\n", {"url": "http://h/p", "path": "/tmp/x_y"}),
    ("h:\n  handler: m:f\n  in_process: true\n  b: Off\n  c: ~\n  d: NULL\n  e: yes\n",
     {"h": {"handler": "m:f", "in_process": True, "b": False, "c": None, "d": None, "e": True}}),
    # YAML 1.1 reads these keys as booleans or null, these values as octal, sexagesimal, floats: PyYAML's to read
    ("on: 1\n", None), ("null: 1\n", None), ("a: tRUE\n", None), ("a: nULL\n", None),
    ("a: 010\n", None), ("a: 1:30\n", None), ("a: 1_000\n", None), ("a: 1.5\n", None), ("a: .inf\n", None),
    ("a: +1\n", None), ("a: 0x1f\n", None), ("a: 2024-01-01\n", None),
    # what plainyaml does not read at all
    ("a: 'q'\n", None), ('a: "q"\n', None), ("a: [1]\n", None), ("a: {b: 1}\n", None), ("- a\n", None),
    ("a: &x b\n", None), ("a: !!str 1\n", None), ("a:\tb\n", None), ("a: b\r\n", None), ("a: é\n", None),
    ("a: b c\n", None), ("a: b\na: c\n", None), ("  a: b\n", None), ("a:\n    b: 1\n  c: 2\n", None),
    ("a: b\n  c: d\n", None), ("a: b:\n", None), ("a:b\n", None), ("---\na: b\n", None), ("# only\n", None),
    ("a: b\n  more\n", None), ("a: " + "9" * 30 + "\n", None), ("? a\n: b\n", None), ("a: |\n  x\n", None),
]


def _pyyaml(text: str):
    return yaml.safe_load(text)


def _read(text: str):
    """plainyaml's value, checked against PyYAML's value and positions when it reads the text."""
    plain = plainyaml.parse(text)
    if plain is None:
        return None
    data, values, keys = plain
    assert data == _pyyaml(text), text
    assert (values, keys, []) == yaml_positions(yaml.compose(text)), text
    return data


@pytest.mark.parametrize("text, expected", CASES, ids=[repr(case[0])[:40] for case in CASES])
def test_plain_texts_read_as_pyyaml_reads_them(text, expected):
    assert _read(text) == expected


_KEYS = ["a", "b", "Name", "x_y", "k-1", "on", "No", "null", "TRUE", "y", "n", "a/b", "1", "-", "_"]
_VALUES = ["", "v", "m:f", "pkg.mod:func", "http://h/p", "/p", "0", "7", "-3", "010", "1_0", "1:30", "1.5",
           "1e3", ".5", "-.inf", "yes", "Off", "~", "Null", "on", "ON", "No", "TRUE", "False", "NULL", "tRUE", "x # c", "#c", "'q'", "x y", "b:", "<<", "=", "y", "n",
           "2024-01-01", "0x1F", "0b1", "+1", "-0", "_x", "a-b", "a.b", "9" * 19]


def _random_text(rng: random.Random) -> str:
    lines, depth = [], 0
    for _ in range(rng.randint(1, 8)):
        roll = rng.random()
        if roll < 0.1:
            lines.append(rng.choice(["", "# c", "   # indented comment"]))
            continue
        if roll < 0.25 and depth:
            depth = rng.randint(0, depth)
        indent = "  " * depth + (" " if rng.random() < 0.05 else "")
        value = rng.choice(_VALUES)
        lines.append(f"{indent}{rng.choice(_KEYS)}:{' ' + value if value else ''}")
        if not value and rng.random() < 0.7:
            depth += 1
    return "\n".join(lines) + rng.choice(["", "\n"])


def test_generated_texts_read_as_pyyaml_reads_them():
    rng = random.Random(17)
    read = 0
    for _ in range(3000):
        if _read(_random_text(rng)) is not None:
            read += 1
    assert read > 100  # the generator does reach texts plainyaml reads


def test_a_plain_resources_file_loads_without_pyyaml(tmp_path):
    path = tmp_path / "resources.yaml"
    path.write_text("handlers:\n  fails: bench_handlers:always_fails\n")
    code = ("import sys; from asl.resources.config import load_resources; "
            f"c = load_resources({str(path)!r}); print(sorted(c.handlers), 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["['fails']", "False"]


def test_a_plain_document_knows_where_its_parts_stand():
    from asl.loader import load_text

    document = load_text("a:\n  b: x\n  c: 2\n", "f.yaml")
    assert document.data == {"a": {"b": "x", "c": 2}} and document.duplicate_free
    position = document.source_map.value("/a/c")
    assert (position.line, position.column) == (3, 6)
