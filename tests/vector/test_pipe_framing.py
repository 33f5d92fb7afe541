"""The worker pipe's own framing (one system call per message where it fits) is ``Connection``'s, either way round,
for messages from empty to larger than a pipe holds."""

import multiprocessing
import threading

import pytest

from teachgym.vector.engine import _read_message
from teachgym.vector.worker import write_message


@pytest.mark.parametrize("size", [0, 1, 70_000, 3_000_000])
def test_messages_cross_whole_between_a_raw_end_and_a_connection_end(size):
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    ours, theirs = multiprocessing.Pipe()
    try:
        for send, receive in ((lambda: write_message(ours.fileno(), payload), theirs.recv_bytes),
                              (lambda: theirs.send_bytes(payload), lambda: _read_message(ours.fileno()))):
            writer = threading.Thread(target=send)  # a large message fills the pipe until it is read
            writer.start()
            assert receive() == payload
            writer.join()
    finally:
        ours.close()
        theirs.close()


def test_reading_a_pipe_whose_other_end_has_closed_raises_eof():
    ours, theirs = multiprocessing.Pipe()
    theirs.close()
    try:
        with pytest.raises(EOFError):
            _read_message(ours.fileno())
    finally:
        ours.close()
