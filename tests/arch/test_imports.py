"""The shape of the code: no import circles, the runtime's layers, module sizes."""

from __future__ import annotations

import pytest

from import_graph import ROOT, cycles, graph, modules, package_graph

MAX_LINES = 600


@pytest.mark.parametrize("package", ["asl", "cli"])
def test_no_module_import_circle(package):
    assert cycles(graph(package)) == []


def test_no_import_circle_between_asl_packages():
    assert cycles(package_graph("asl")) == []


def test_task_providers_never_reach_the_interpreter_or_the_front_door():
    """A provider sees a running execution only through TaskCall.env (asl.runtime)."""
    edges = graph("asl")
    for module, targets in edges.items():
        if module.startswith("asl.resources"):
            assert not {t for t in targets if t.startswith(("asl.interp", "asl.api"))}, module


def test_the_library_never_imports_the_command_line():
    for module, path in modules("asl").items():
        text = path.read_text()
        for name in ("click", "rich", "cli"):
            assert f"import {name}" not in text and f"from {name} " not in text and f"from {name}." not in text, module


@pytest.mark.parametrize("package", ["asl", "cli"])
def test_no_module_over_the_size_limit(package):
    sizes = {name: len(path.read_text().splitlines()) for name, path in modules(package).items()}
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_cycles_are_found():
    """The checker itself: a circle of three and a self-contained pair are reported, a chain is not."""
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"e"}, "e": set()}) == [["a", "b", "c"]]


def test_imports_inside_functions_count(tmp_path, monkeypatch):
    import import_graph

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    from . import b\n")
    (tmp_path / "pkg" / "b.py").write_text("from .a import f\n")
    monkeypatch.setattr(import_graph, "ROOT", tmp_path)
    assert cycles(graph("pkg")) == [["pkg.a", "pkg.b"]]
    assert ROOT != tmp_path
