"""Fixtures: a `sfn serve` the test starts itself (127.0.0.1, an ephemeral port) and a boto3 client for it."""

from __future__ import annotations

import pytest

pytest.importorskip("boto3")

from asl.service import Service  # noqa: E402
from asl.service.http import ApiServer  # noqa: E402
from serve_helpers import client_for  # noqa: E402


@pytest.fixture
def start_server(tmp_path):
    """start_server(**Service options) -> (service, server, client); stopped after the test."""
    started = []

    def _start(**options):
        options.setdefault("clock", "virtual")
        service = Service(options.pop("store", tmp_path / "sfn.db"), **options)
        server = ApiServer(service, "127.0.0.1", 0).start()
        started.append((service, server))
        return service, server, client_for(server.url)

    yield _start
    for service, server in started:
        server.stop()
        service.close(1)


@pytest.fixture
def sfn(start_server):
    """A boto3 client of a fresh server on the virtual clock."""
    return start_server()[2]
