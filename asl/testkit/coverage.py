"""Path coverage of state machines: what a definition offers to cover, and what executions hit.

A definition's coverable items are its states, its transitions (each Next, each Choice rule by
index and the Default, each Catcher by index), its Retriers and its Map / Parallel branches,
nested states included. An execution's history says which states were entered and which
transition led to each (an Entered event's previousEventId is the Exited event before it);
which Choice rule, Catcher or Retrier applied comes from the interpreter's observer when the
`Recorder` is attached to a run (`run_machine(on_start=recorder.attach)`): two rules can lead to
the same state, and a Retry leaves no event of its own. Counts merge over many executions.

A Distributed Map's iterations are child executions with histories of their own (as on AWS):
their states count only through the observer's Choice / Catch / Retry calls, not as entered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

from ..model.states import StateMachine

STATE, TRANSITION, RETRIER, BRANCH = "state", "transition", "retrier", "branch"
KINDS = (STATE, TRANSITION, RETRIER, BRANCH)
_PLURAL = {STATE: "states", TRANSITION: "transitions", RETRIER: "retriers", BRANCH: "branches"}


@dataclass(frozen=True)
class Item:
    """One thing a test can cover; `id` is unique within its definition and reads as a phrase."""

    kind: str
    id: str
    state: str                                  # the state it belongs to (plain name)
    scope: str = ""                             # "" at the top, else e.g. "Fanout[1]" or "Items"
    detail: dict = field(default_factory=dict, compare=False)

    def as_json(self, hits: int) -> dict:
        """The item for tools: kind, id, state, scope, its details and how often it was hit."""
        return {"kind": self.kind, "id": self.id, "state": self.state, "scope": self.scope, **self.detail,
                "hits": hits}


def transition_id(source: str, target: str, how: str = "Next", index: int | None = None) -> str:
    """`A -> B`, `A -> B (Choices[0])`, `A -> B (Default)`, `A -> B (Catch[1])`."""
    if how == "Next":
        return f"{source} -> {target}"
    return f"{source} -> {target} ({how}[{index}])" if index is not None else f"{source} -> {target} ({how})"


class CoverageModel:
    """The coverable items of one definition, in definition order, built once from the parsed machine."""

    def __init__(self, machine: StateMachine, label: str) -> None:
        self.label = label
        self.items: list[Item] = []
        self.by_id: dict[str, Item] = {}
        self.state_ids: dict[str, str] = {}          # state name -> its item id
        self.transitions: dict[tuple, str] = {}      # (state, how, index) -> item id
        self.targets: dict[str, list[tuple]] = {}    # state name -> [(target, how, index)]
        self.branch_starts: dict[str, str] = {}      # a branch's StartAt -> the branch's item id
        self._walk(machine, "")

    def _add(self, item: Item) -> None:
        if item.id not in self.by_id:  # (unvalidated definitions may repeat names)
            self.items.append(item)
            self.by_id[item.id] = item

    def _walk(self, machine: StateMachine, scope: str) -> None:
        prefix = scope + "/" if scope else ""
        for name, state in machine.states.items():
            self.state_ids[name] = prefix + name
            self._add(Item(STATE, prefix + name, name, scope, {"type": state.type}))
        for name, state in machine.states.items():
            self._state_items(name, state, scope, prefix)

    def _state_items(self, name: str, state: Any, scope: str, prefix: str) -> None:
        edges: list[tuple] = []
        if state.type == "Choice":
            edges += [(rule.next, "Choices", i) for i, rule in enumerate(state.choices)]
            if state.default is not None:
                edges.append((state.default, "Default", None))
        elif state.next is not None:
            edges.append((state.next, "Next", None))
        edges += [(catcher.next, "Catch", i) for i, catcher in enumerate(state.catch)]
        self.targets[name] = edges
        for target, how, index in edges:
            tid = transition_id(name, target, how, index)
            self.transitions[(name, how, index)] = tid
            detail = {"from": name, "to": target, "how": how}
            if index is not None:
                detail["index"] = index
            self._add(Item(TRANSITION, tid, name, scope, detail))
        for i, retrier in enumerate(state.retry):
            self._add(Item(RETRIER, f"{name} Retry[{i}]", name, scope,
                           {"index": i, "errors": list(retrier.error_equals)}))
        if state.type == "Parallel":
            for i, branch in enumerate(state.branches):
                bid = f"{name}[{i}]"
                self._add(Item(BRANCH, bid, name, scope, {"index": i, "startAt": branch.start_at}))
                self.branch_starts[branch.start_at] = bid
                self._walk(branch, prefix + bid)
        elif state.type == "Map" and state.processor is not None:
            bid = f"{name} ItemProcessor"
            self._add(Item(BRANCH, bid, name, scope, {"startAt": state.processor.start_at}))
            self.branch_starts[state.processor.start_at] = bid
            self._walk(state.processor, prefix + name)


class Recorder:
    """Hits of one execution: a history listener (`on_event`) and the interpreter's observer.

    `attach(interpreter)` is meant for run_machine's `on_start`; it also adds `on_event` to the
    history's listeners. Without the observer (a history read back later), a Choice's or a
    Catcher's transition counts only when one transition of the state leads to the state entered.
    """

    def __init__(self, model: CoverageModel, hits: Counter | None = None) -> None:
        self.model = model
        self.hits: Counter = hits if hits is not None else Counter()
        self.observed = False
        self._pending: dict[str, tuple] = {}        # state -> (how, index) the observer reported
        self._exits: dict[int, tuple] = {}          # Exited event id -> (state, how | None, index)

    def attach(self, interpreter: Any) -> None:
        """Observe a run: Choice rules, Catchers and Retriers from the interpreter, the rest from its history."""
        self.observed = True
        interpreter.observer = self
        interpreter.history.listeners.append(self.on_event)

    # the interpreter's observer (asl.interp.machine.Interpreter.observer)

    def chose(self, state: Any, index: int | None) -> None:
        """A Choice state matched rule `index` (None: its Default)."""
        self._pending[state.name] = ("Choices", index) if index is not None else ("Default", None)

    def caught(self, state: Any, index: int) -> None:
        """Catcher `index` of the state took its error."""
        self._pending[state.name] = ("Catch", index)

    def retried(self, state: Any, index: int) -> None:
        """Retrier `index` of the state fired."""
        self.hits[f"{state.name} Retry[{index}]"] += 1

    # the history

    def on_event(self, event: Any) -> None:
        """One history event (an asl.history Event, or a GetExecutionHistory event dict)."""
        if isinstance(event, dict):
            type_, id_, previous = event.get("type", ""), event.get("id", 0), event.get("previousEventId", 0)
            name = None
            if type_.endswith(("StateEntered", "StateExited")):
                details = event.get("stateEnteredEventDetails") or event.get("stateExitedEventDetails") or {}
                name = details.get("name")
        else:
            type_, id_, previous = event.type, event.id, event.previous_id
            name = getattr(event, "name", None)
        if name is None:
            return
        if type_.endswith("StateEntered"):
            self._entered(name, previous)
        elif type_.endswith("StateExited"):
            how = self._pending.pop(name, None)
            if how is None and self.observed:
                how = ("Next", None)
            self._exits[id_] = (name, *(how or (None, None)))

    def _entered(self, name: str, previous: int) -> None:
        model = self.model
        self._pending.pop(name, None)
        state_id = model.state_ids.get(name)
        if state_id is None:
            return  # a state of another definition (a child execution's history)
        self.hits[state_id] += 1
        came = self._exits.pop(previous, None)
        if came is None:
            branch = model.branch_starts.get(name)
            if branch is not None:
                self.hits[branch] += 1
            return
        source, how, index = came
        if how is not None:
            tid = model.transitions.get((source, how, index))
        else:  # no observer: only an unambiguous target tells the transition
            candidates = [t for t in model.targets.get(source, ()) if t[0] == name]
            tid = model.transitions.get((source,) + candidates[0][1:]) if len(candidates) == 1 else None
        if tid is not None:
            self.hits[tid] += 1


@dataclass
class Figures:
    """Covered / total of one kind of item."""

    covered: int
    total: int

    @property
    def percent(self) -> float:
        """Covered share in percent (100 when there is nothing to cover)."""
        return 100.0 if self.total == 0 else 100.0 * self.covered / self.total

    def as_json(self) -> dict:
        """`{"covered", "total", "percent"}` (percent rounded to 2 places)."""
        return {"covered": self.covered, "total": self.total, "percent": round(self.percent, 2)}


class Coverage:
    """Coverage of any number of definitions, merged over every execution recorded into it."""

    def __init__(self) -> None:
        self.models: dict[str, CoverageModel] = {}
        self.hits: dict[str, Counter] = {}

    def model(self, machine: StateMachine, label: str) -> CoverageModel:
        """The definition's model (built on first use; a label names one definition)."""
        model = self.models.get(label)
        if model is None:
            model = self.models[label] = CoverageModel(machine, label)
            self.hits[label] = Counter()
        return model

    def recorder(self, machine: StateMachine, label: str) -> Recorder:
        """A recorder for one more execution of this definition, counting into the merged hits."""
        model = self.model(machine, label)
        return Recorder(model, self.hits[label])

    def add_history(self, machine: StateMachine, label: str, events: Iterable[Any]) -> None:
        """Count one execution from its history alone (asl.history events or GetExecutionHistory dicts)."""
        recorder = self.recorder(machine, label)
        for event in getattr(events, "events", events):
            recorder.on_event(event)

    def merge(self, other: "Coverage") -> None:
        """Add another Coverage's hits (e.g. of another process)."""
        for label, model in other.models.items():
            if label not in self.models:
                self.models[label] = model
                self.hits[label] = Counter()
            self.hits[label].update(other.hits[label])

    def figures(self, label: str, kind: str) -> Figures:
        """Covered / total of one kind in one definition."""
        hits = self.hits[label]
        items = [item for item in self.models[label].items if item.kind == kind]
        return Figures(sum(1 for item in items if hits[item.id]), len(items))

    def total(self, kind: str = TRANSITION) -> Figures:
        """Covered / total of one kind over every definition."""
        parts = [self.figures(label, kind) for label in self.models]
        return Figures(sum(p.covered for p in parts), sum(p.total for p in parts))

    def uncovered(self, label: str) -> list[Item]:
        """The items never hit, in definition order."""
        hits = self.hits[label]
        return [item for item in self.models[label].items if not hits[item.id]]

    def as_json(self) -> dict:
        """Everything, for tools: per definition the figures per kind and each item with its hits."""
        definitions = []
        for label, model in self.models.items():
            hits = self.hits[label]
            definitions.append({
                "definition": label,
                **{_PLURAL[kind]: self.figures(label, kind).as_json() for kind in KINDS},
                "items": [item.as_json(hits[item.id]) for item in model.items],
                "uncovered": [item.id for item in self.uncovered(label)],
            })
        return {"definitions": definitions,
                "total": {_PLURAL[kind]: self.total(kind).as_json() for kind in KINDS}}

    def format(self) -> str:
        """The coverage table as plain text: per definition, the figures and what was never covered."""
        lines = []
        for label in self.models:
            lines.append(f"{label}")
            for kind in KINDS:
                f = self.figures(label, kind)
                lines.append(f"  {_PLURAL[kind]:<12} {f.covered:>4}/{f.total:<4} {f.percent:6.1f}%")
            missed = self.uncovered(label)
            if missed:
                lines.append("  never covered:")
                missed.sort(key=lambda item: KINDS.index(item.kind))  # stable: definition order per kind
                lines += [f"    {item.kind:<10} {_shown(item)}" for item in missed]
        if len(self.models) > 1:
            f = self.total()
            lines.append(f"transitions, all definitions: {f.covered}/{f.total} {f.percent:.1f}%")
        return "\n".join(lines)


def _shown(item: Item) -> str:
    """An uncovered item as listed: a nested state with its scope, Retriers with their errors."""
    if item.kind == RETRIER:
        return f"{item.id} {item.detail['errors']}"
    return item.id
