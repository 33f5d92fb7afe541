"""The worker pipes' own framing (one system call per message where it fits) is ``Connection``'s, either way round,
for messages from empty to larger than a pipe holds, and a read keeps what it reads past a message for the next; the
spinning wait before a read sees a message at once and gives up after its time."""

import multiprocessing
import os
import select
import struct
import threading
import time

import pytest

from teachgym.vector.worker import MessageReader, readable_poller, spin_until_ready, write_message


@pytest.mark.parametrize("size", [0, 1, 70_000, 3_000_000])
def test_messages_cross_whole_between_a_raw_end_and_a_connection_end(size):
    payload = bytes(range(256)) * (size // 256) + b"x" * (size % 256)
    ours, theirs = multiprocessing.Pipe()
    try:
        for send, receive in ((lambda: write_message(ours.fileno(), payload), theirs.recv_bytes),
                              (lambda: theirs.send_bytes(payload), MessageReader(ours.fileno()).read)):
            writer = threading.Thread(target=send)  # a large message fills the pipe until it is read
            writer.start()
            assert receive() == payload
            writer.join()
    finally:
        ours.close()
        theirs.close()


def test_messages_that_arrive_together_are_read_one_at_a_time_in_order():
    reading, writing = multiprocessing.Pipe(duplex=False)
    reader = MessageReader(reading.fileno())
    try:
        for message in (b"s", b"", b"close", b"x" * 3_000):  # less than any pipe holds (4 KiB): no reader yet
            writing.send_bytes(message)
        writing.close()
        assert reader.read() == b"s"  # one system call takes everything that has arrived
        assert reader.has_data
        assert [reader.read(), reader.read(), reader.read()] == [b"", b"close", b"x" * 3_000]
        assert not reader.has_data
        with pytest.raises(EOFError):
            reader.read()
    finally:
        reading.close()


def test_reading_a_pipe_whose_other_end_has_closed_raises_eof():
    ours, theirs = multiprocessing.Pipe()
    theirs.close()
    try:
        with pytest.raises(EOFError):
            MessageReader(ours.fileno()).read()
    finally:
        ours.close()


def test_a_message_cut_short_by_the_other_end_closing_raises_eof():
    reading, writing = multiprocessing.Pipe(duplex=False)
    try:
        os.write(writing.fileno(), struct.pack("!i", 10) + b"abc")
        writing.close()
        with pytest.raises(EOFError):
            MessageReader(reading.fileno()).read()
    finally:
        reading.close()


needs_poll = pytest.mark.skipif(not hasattr(select, "poll"), reason="no select.poll here: waits do not spin")


@needs_poll
def test_the_spinning_wait_sees_a_message_already_waiting_and_leaves_it_in_the_pipe():
    ours, theirs = multiprocessing.Pipe()
    try:
        theirs.send_bytes(b"step")
        assert spin_until_ready(readable_poller(ours.fileno()), seconds=60.0) == [(ours.fileno(), select.POLLIN)]
        assert ours.recv_bytes() == b"step"
    finally:
        ours.close()
        theirs.close()


@needs_poll
def test_the_spinning_wait_sees_a_message_sent_while_it_spins():
    ours, theirs = multiprocessing.Pipe()
    sender = threading.Timer(0.05, theirs.send_bytes, args=(b"step",))
    try:
        sender.start()
        assert spin_until_ready(readable_poller(ours.fileno()), seconds=60.0)
        assert ours.recv_bytes() == b"step"
    finally:
        sender.join()
        ours.close()
        theirs.close()


@needs_poll
def test_the_spinning_wait_gives_up_after_its_time_when_nothing_comes():
    ours, theirs = multiprocessing.Pipe()
    try:
        start = time.perf_counter()
        assert spin_until_ready(readable_poller(ours.fileno()), seconds=0.02) == []
        assert time.perf_counter() - start >= 0.02
        assert not ours.poll(0)
    finally:
        ours.close()
        theirs.close()


def test_without_a_poller_the_wait_does_not_spin():
    assert spin_until_ready(None, seconds=60.0) == []
