"""The handler workers' wire format and its pipe writes."""

import os

from asl.resources import wire


def test_a_message_is_one_write_when_the_pipe_takes_it_whole():
    read, write = os.pipe()
    try:
        wire.write_all(write, wire.encode({"a": [1, "é"]}))
        assert wire.decode(os.read(read, 1000).rstrip(b"\n")) == {"a": [1, "é"]}
    finally:
        os.close(read)
        os.close(write)


def test_a_partial_write_is_followed_by_the_rest(monkeypatch):
    written = []

    def partial(fd, data):  # a pipe that takes at most 3 bytes at a time
        written.append(bytes(data[:3]))
        return len(written[-1])

    monkeypatch.setattr(wire.os, "write", partial)
    wire.write_all(7, b"0123456789\n")
    assert b"".join(written) == b"0123456789\n" and len(written) == 4
