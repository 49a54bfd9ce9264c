"""What an emitter colours on top of a graph: a run's outcomes, or a diff's changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .model import Node

# A run's outcome of a state, worst first (a state entered several times shows its worst).
SUCCEEDED, RETRIED, CAUGHT, FAILED, NOT_ENTERED, RUNNING = (
    "succeeded", "retried", "caught", "failed", "not-entered", "running")
OUTCOME_RANK = {FAILED: 0, RUNNING: 1, CAUGHT: 2, RETRIED: 3, SUCCEEDED: 4, NOT_ENTERED: 5}
# A diff's change of a state or transition.
ADDED, REMOVED, CHANGED = "added", "removed", "changed"

LEGEND = {
    SUCCEEDED: "succeeded", RETRIED: "succeeded after a retry", CAUGHT: "failed, caught",
    FAILED: "failed", NOT_ENTERED: "not entered", RUNNING: "did not finish",
    ADDED: "added", REMOVED: "removed", CHANGED: "changed",
}
SYMBOL = {SUCCEEDED: "✔", RETRIED: "↻", CAUGHT: "⚠", FAILED: "✖", NOT_ENTERED: "·", RUNNING: "…",
          ADDED: "+", REMOVED: "−", CHANGED: "~"}


@dataclass
class Marks:
    """Statuses and notes by node id, counts and statuses by edge index (into `Graph.edges`)."""

    status: dict[str, str] = field(default_factory=dict)
    notes: dict[str, list[str]] = field(default_factory=dict)
    edge_counts: dict[int, int] = field(default_factory=dict)
    edge_status: dict[int, str] = field(default_factory=dict)
    title: str = ""

    def used(self) -> list[str]:
        """The statuses that occur, in legend order (for a legend)."""
        present = set(self.status.values()) | set(self.edge_status.values())
        return [s for s in LEGEND if s in present]


def node_lines(node: "Node", marks: Marks, retry_limit: int = 1) -> list[str]:
    """A state's box text: name, `Type · detail`, the Retry badge, then the marks' notes."""
    lines = [node.name, node.type + (" · " + node.detail if node.detail else "")]
    if node.retry:
        more = f" +{len(node.retry) - retry_limit}" if len(node.retry) > retry_limit else ""
        lines.append("↻ " + "; ".join(node.retry[:retry_limit]) + more)
    return lines + marks.notes.get(node.id, [])
