"""Shared fixtures: run a definition given as a dict, on the virtual clock."""

from __future__ import annotations

import pytest

from asl.api import machine_from_definition, run_machine


@pytest.fixture
def execute():
    """execute(definition, input=None, invoker=None) -> ExecutionResult (virtual clock)."""
    def _execute(definition, input=None, invoker=None, validate=False):
        machine = machine_from_definition(definition, validate=validate)
        return run_machine(machine, input if input is not None else {}, clock="virtual", invoker=invoker)
    return _execute


def event_types(result) -> list[str]:
    """The history's event types in order."""
    return [e.type for e in result.history.events]
