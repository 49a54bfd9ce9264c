"""The graph's SVG in a page of its own (no script, nothing fetched)."""

from __future__ import annotations

from importlib import resources
from string import Template
from xml.sax.saxutils import escape

from .marks import Marks
from .model import Graph
from .svg import to_svg


def to_html(graph: Graph, marks: Marks | None = None) -> str:
    """A standalone HTML page showing the graph."""
    page = Template(resources.files(__package__).joinpath("templates/graph.html").read_text(encoding="utf-8"))
    title = graph.name + (f" — {marks.title}" if marks and marks.title else "")
    return page.substitute(title=escape(title), comment=escape(graph.comment),
                           svg=to_svg(graph, marks, standalone=False))
