"""The worker's request loop: a request that follows the last reply closely has the next one waited for awake."""

import pytest

from asl.resources import worker
from asl.resources.wire import encode


class _Pipe:
    """Requests that arrive at given moments of a fake clock; polling advances the clock a microsecond."""

    def __init__(self, arrivals: list[float], now: list[float]) -> None:
        self.arrivals, self.now, self.polls = list(arrivals), now, []

    def pending(self) -> bool:
        self.now[0] += 1e-6
        ready = bool(self.arrivals) and self.arrivals[0] <= self.now[0]
        self.polls.append(ready)
        return ready

    def next(self) -> bytes | None:
        if not self.arrivals:
            return None
        self.now[0] = max(self.now[0], self.arrivals.pop(0))  # a blocking read: asleep until it comes
        return encode({"op": "call"})


# (each request's arrival after the reply before it, in seconds; whether the worker polled awake before it)
CASES = [
    ([0.0001, 0.0001, 0.0001], [False, True, True]),            # back-to-back calls: awake after the first
    ([0.0001, 0.5, 0.0001, 0.0001], [False, True, False, True]),  # a long pause: polled, then asleep once
    ([0.5, 0.5, 0.5], [False, False, False]),                   # calls far apart: never spins
]


@pytest.mark.parametrize("gaps, awake", CASES)
def test_the_worker_polls_for_a_request_only_while_requests_come_quickly(gaps, awake):
    now = [0.0]
    arrivals, replied_at = [], []

    def run(message: dict) -> None:
        replied_at.append(now[0])
        if len(replied_at) < len(gaps):
            arrivals.append(now[0] + gaps[len(replied_at)])
            pipe.arrivals = [arrivals[-1]]

    pipe = _Pipe([gaps[0]], now)
    polled = []
    real_pending = pipe.pending

    def pending() -> bool:
        polled.append(len(replied_at))  # which request it was polling for
        return real_pending()

    pipe.pending = pending
    worker.serve(pipe, run, [], clock=lambda: now[0])
    assert len(replied_at) == len(gaps)
    assert [index in polled for index in range(len(gaps))] == awake


def test_spinning_gives_up_after_spin_seconds():
    now = [0.0]
    pipe = _Pipe([0.0001, 0.0002], now)
    times = []
    worker.serve(pipe, lambda message: times.append(now[0]), [], clock=lambda: now[0])
    # The second request came 0.1 ms after the first reply: polled for, awake, and found at once.
    assert times[1] - times[0] == pytest.approx(0.0001, abs=2e-6)
    # No third comes: the worker polls for SPIN seconds (a microsecond a poll here), then sleeps in a read.
    after_last = len(pipe.polls) - pipe.polls.index(True) - 1
    assert worker.SPIN / 1e-6 - 2 <= after_last <= worker.SPIN / 1e-6 + 2
