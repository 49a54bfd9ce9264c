"""The local handler behind retry_catch_task's Lambda: it always fails, as the workload needs."""

from __future__ import annotations

from typing import Any


class BenchAlwaysFails(Exception):
    """The error the Task reports (its class name becomes the ASL error name)."""


def always_fails(event: Any, context: Any) -> Any:
    """Fail every invocation."""
    raise BenchAlwaysFails("deliberate failure")


def sleep_50ms(event: Any, context: Any) -> Any:
    """Wait 50 ms as a handler calling a service would (lanes_bench.py), and echo the event."""
    import time

    time.sleep(0.05)
    return event


def sum_orders(event: Any, context: Any) -> Any:
    """distributed_bench's child: one batch of CSV rows, its quantities and amounts summed."""
    quantity = amount = 0
    for row in event["Items"]:
        quantity += int(row["quantity"])
        amount += int(row["quantity"]) * int(row["cents"])
    return {"orders": len(event["Items"]), "quantity": quantity, "cents": amount}
