"""Shared fixtures: run a definition given as a dict, on the virtual clock."""

from __future__ import annotations

import pytest

from asl.api import machine_from_definition, run_machine


@pytest.fixture(autouse=True)
def _own_default_store(tmp_path_factory, monkeypatch):
    """Every test's default store is its own, never the user's (`sfn run` records there by default)."""
    monkeypatch.setenv("SFN_STORE", str(tmp_path_factory.mktemp("store") / "sfn.db"))


@pytest.fixture
def execute():
    """execute(definition, input=None, validate=False, **run_machine_options) -> ExecutionResult (virtual clock)."""
    def _execute(definition, input=None, validate=False, **options):
        machine = machine_from_definition(definition, validate=validate)
        options.setdefault("strict", False)  # a Task nothing answers fails when reached (States.Runtime)
        return run_machine(machine, input if input is not None else {}, clock="virtual", **options)
    return _execute


def event_types(result) -> list[str]:
    """The history's event types in order."""
    return [e.type for e in result.history.events]
