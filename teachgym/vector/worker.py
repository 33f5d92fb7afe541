"""The worker side of teachgym.vector: an :class:`EnvRunner` steps its envs in a loop, reading actions, operations
and task slots from the shared block and writing observations, rewards and flags back; :func:`worker_main` serves
one runner in a worker process, one command and one pickled reply per call, each way through a pipe of its own (a
plain step, the command of nearly every call, is the one byte :data:`STEP_COMMAND`, so neither side pickles it).

Both sides wait for the other's message by checking the pipe for a while (:data:`SPIN_S` by default) before they
sleep on it (:func:`spin_until_ready`): between the steps of a rollout the next message comes within that time, and
a process that has not gone to sleep needs no waking. A wake-up costs the sender and the sleeper tens of microseconds
per message on a virtual machine (measured on a 2-core one: the default's 8 Stump Tracks envs went from about 430 to
340 microseconds a step); the check yields the core at each turn, so a process with work on the same core gets it.

A task slot is consumed at the env's next reset (``reset``, an operation :data:`~.buffers.RESET`, or the autoreset
of :data:`~.buffers.STEP_AUTORESET`): the runner calls the env's ``set_task`` with it just before the reset.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import struct
import time
import traceback
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from multiprocessing.connection import Connection
from typing import Any

import cloudpickle
import gymnasium as gym
import numpy as np

from .buffers import RESET, SKIP, STEP_AUTORESET, Layout, SharedBuffers

# What a step returns: each stepped env's info, and for each env reset by its autoreset, its final observation and
# the info of its reset.
StepResult = tuple[dict[int, dict[str, Any]], dict[int, tuple[np.ndarray, dict[str, Any]]]]
# The command of a step without new task keyword arguments: ``("step", ({},))`` without pickling it.
STEP_COMMAND = b"s"
_NO_TASK_KWARGS: Mapping[int, dict[str, Any]] = {}
# The framing of ``Connection.send_bytes`` (a big-endian int32 size, or -1 then a uint64 size), which
# :func:`write_message` and :class:`MessageReader` share, so either end may use a ``Connection`` method instead.
SIZE = struct.Struct("!i")
LARGE_SIZE = struct.Struct("!Q")
# The most a reader takes from a pipe in one system call (what a Linux pipe holds).
READ_BYTES = 1 << 16
# How long, by default, a process of a vector env checks for the other side's next message before it sleeps on the
# pipe: longer than the gap between two steps of a rollout (the policy's inference), short beside a gradient phase.
SPIN_S = 0.001


class EnvRunner:
    """The envs ``indices`` of a vector env, built with ``env_fn`` and stepped on the views of ``buffers``."""

    def __init__(self, env_fn: Callable[[], gym.Env], indices: Sequence[int], buffers: SharedBuffers):
        self.indices = [int(index) for index in indices]
        self.buffers = buffers
        self.envs: dict[int, gym.Env] = {}
        self._task_kwargs: dict[int, dict[str, Any]] = {index: {} for index in self.indices}
        try:
            for index in self.indices:
                self.envs[index] = env_fn()
        except BaseException:
            self.close()
            raise

    def step(self, task_kwargs: Mapping[int, dict[str, Any]]) -> StepResult:
        """Do every env's operation; returns the infos of the envs that did one and the autoresets' results."""
        if task_kwargs:
            self._task_kwargs.update(task_kwargs)
        buffers = self.buffers
        operations, actions = buffers.operations.tolist(), buffers.actions
        infos: dict[int, dict[str, Any]] = {}
        resets: dict[int, tuple[np.ndarray, dict[str, Any]]] = {}
        for index, env in self.envs.items():
            operation = operations[index]
            if operation == SKIP:
                continue
            if operation == RESET:
                buffers.observations[index], infos[index] = self._reset(index, None, None)
                buffers.rewards[index] = 0.0
                buffers.terminated[index] = buffers.truncated[index] = False
                continue
            action = actions[index]
            observation, reward, terminated, truncated, infos[index] = env.step(
                action if action.ndim == 0 else action.copy())
            buffers.rewards[index] = reward
            buffers.terminated[index] = terminated
            buffers.truncated[index] = truncated
            if operation == STEP_AUTORESET and (terminated or truncated):
                final_observation = observation
                observation, reset_info = self._reset(index, None, None)
                resets[index] = (final_observation, reset_info)
            buffers.observations[index] = observation
        return infos, resets

    def reset(self, indices: Sequence[int], seeds: Sequence[int | None], options: Sequence[dict[str, Any] | None],
              task_kwargs: Mapping[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
        """Reset the envs ``indices`` of this runner (each with its seed and options); returns their reset infos."""
        self._task_kwargs.update(task_kwargs)
        infos = {}
        for index, seed, env_options in zip(indices, seeds, options):
            self.buffers.observations[index], infos[index] = self._reset(index, seed, env_options)
            self.buffers.terminated[index] = self.buffers.truncated[index] = False
        return infos

    def call(self, indices: Sequence[int], name: str, args: tuple, kwargs: dict[str, Any]) -> list[Any]:
        """``env.get_wrapper_attr(name)(*args, **kwargs)`` of each env of ``indices`` (the attribute itself where it
        is not callable, as gymnasium's vector envs do)."""
        results = []
        for index in indices:
            function = self.envs[index].get_wrapper_attr(name)
            results.append(function(*args, **kwargs) if callable(function) else function)
        return results

    def get_attr(self, indices: Sequence[int], name: str) -> list[Any]:
        """``env.get_wrapper_attr(name)`` of each env of ``indices``."""
        return [self.envs[index].get_wrapper_attr(name) for index in indices]

    def set_attr(self, indices: Sequence[int], name: str, value: Any) -> None:
        """``setattr(env, name, value)`` on the outermost wrapper of each env of ``indices`` (as SB3's VecEnvs do)."""
        for index in indices:
            setattr(self.envs[index], name, value)

    def is_wrapped(self, indices: Sequence[int], wrapper_class: type) -> list[bool]:
        """Whether each env of ``indices`` has a ``wrapper_class`` anywhere in its wrapper chain."""
        found = []
        for index in indices:
            env, wrapped = self.envs[index], False
            while isinstance(env, gym.Wrapper) and not wrapped:
                wrapped = isinstance(env, wrapper_class)
                env = env.env
            found.append(wrapped)
        return found

    def close(self) -> None:
        """Close every env (each once, whatever the others raise)."""
        for env in self.envs.values():
            try:
                env.close()
            except Exception:  # a broken env must not keep the others open
                traceback.print_exc()
        self.envs = {}

    def _reset(self, index: int, seed: int | None, options: dict[str, Any] | None) -> tuple[Any, dict[str, Any]]:
        env = self.envs[index]
        if self.buffers.task_pending[index]:
            env.get_wrapper_attr("set_task")(self.buffers.tasks[index].copy(), **self._task_kwargs[index])
            self.buffers.task_pending[index] = False
        return env.reset(seed=seed, options=options) if options else env.reset(seed=seed)


def readable_poller(fd: int) -> select.poll | None:
    """A poll set watching ``fd`` for input, for :func:`spin_until_ready`; None where the platform has no
    ``select.poll`` (Windows), where waits do not spin."""
    if not hasattr(select, "poll"):
        return None
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    return poller


def spin_until_ready(poller: select.poll | None, seconds: float) -> list[tuple[int, int]]:
    """Check ``poller`` without sleeping, giving up the core between checks (``sched_yield``), until one of its
    descriptors is ready or ``seconds`` have passed; the ready descriptors and their events, as ``poll`` gives them
    (none at once without a poller or time)."""
    if poller is None or seconds <= 0:
        return []
    deadline = time.perf_counter() + seconds
    while not (ready := poller.poll(0)):
        if time.perf_counter() >= deadline:
            return []
        os.sched_yield()
    return ready


def write_message(fd: int, payload: bytes) -> None:
    """Send ``payload`` on the pipe ``fd`` as ``Connection.send_bytes`` would, in one system call where the pipe
    takes it (``send_bytes`` costs several Python calls more, per step and worker)."""
    header = SIZE.pack(len(payload)) if len(payload) < 0x7FFFFFFF else SIZE.pack(-1) + LARGE_SIZE.pack(len(payload))
    data = memoryview(header + payload)
    while data:
        data = data[os.write(fd, data):]


class MessageReader:
    """Reads the messages of :func:`write_message` (or ``Connection.send_bytes``) from the pipe ``fd``: a message
    that has all arrived in one system call (``recv_bytes`` makes two), keeping what it reads past it for the next
    read (a command sent while the worker was still busy with the one before)."""

    def __init__(self, fd: int):
        self.fd = fd
        self._data = b""

    @property
    def has_data(self) -> bool:
        """Whether bytes read past the last message wait here, where a wait on the pipe would not see them."""
        return bool(self._data)

    def read(self) -> bytes:
        """The next message, waiting for it.

        Raises:
            EOFError: if the other end closes the pipe first.
        """
        self._fill(SIZE.size)
        (size,), start = SIZE.unpack_from(self._data), SIZE.size
        if size == -1:
            self._fill(start + LARGE_SIZE.size)
            (size,), start = LARGE_SIZE.unpack_from(self._data, start), start + LARGE_SIZE.size
        self._fill(start + size)
        message, self._data = self._data[start:start + size], self._data[start + size:]
        return message

    def _fill(self, size: int) -> None:
        """Read until at least ``size`` bytes are held."""
        if len(self._data) >= size:
            return
        buffer = bytearray(self._data)  # grows in place: a large message arrives in many pieces
        while len(buffer) < size:
            chunk = os.read(self.fd, max(READ_BYTES, size - len(buffer)))
            if not chunk:
                raise EOFError("the other end of the pipe has closed")
            buffer += chunk
        self._data = bytes(buffer)


def error_reply(error: BaseException) -> bytes:
    """The reply carrying ``error`` back to the main process, with the worker's traceback as a note (a plain
    RuntimeError with the traceback when the error itself cannot be pickled)."""
    text = "".join(traceback.format_exception(error))
    try:
        return pickle.dumps(("error", error, text), protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return pickle.dumps(("error", RuntimeError(f"{type(error).__name__}: {error}"), text))


def command_receiver(commands: Connection, spin_s: float) -> Callable[[], bytes]:
    """The worker's wait for its next command and read of it: checking the pipe for ``spin_s`` seconds before it
    sleeps on it, then reading the command in one system call where it has all arrived; ``recv_bytes`` where the
    platform has no ``select.poll`` (Windows)."""
    poller = readable_poller(commands.fileno())
    if poller is None:
        return commands.recv_bytes
    reader = MessageReader(commands.fileno())

    def receive() -> bytes:
        if not reader.has_data:
            spin_until_ready(poller, spin_s)
        return reader.read()

    return receive


def worker_main(commands: Connection, replies: Connection, block: Any, layout: Layout, env_fn: bytes,
                indices: list[int], spin_s: float) -> None:
    """Serve an :class:`EnvRunner` of ``indices``, reading commands from ``commands`` and answering on ``replies``,
    until told to close or the main process goes; each wait for a command checks the pipe for ``spin_s`` seconds
    before it sleeps on it.

    Each command is :data:`STEP_COMMAND` or a pickled ``(method name, arguments)``; each reply a pickled ``("ok",
    result)`` or ``("error", exception, traceback text)``. The first reply says whether the envs could be built.
    Ctrl-C is left to the main process, which closes the workers.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        runner = EnvRunner(cloudpickle.loads(env_fn), indices, SharedBuffers(block, layout))
    except BaseException as error:
        replies.send_bytes(error_reply(error))
        return
    replies.send_bytes(pickle.dumps(("ok", None)))
    send = partial(write_message, replies.fileno()) if os.name == "posix" else replies.send_bytes
    receive = command_receiver(commands, spin_s)
    try:
        while True:
            try:
                message = receive()
            except (EOFError, OSError):
                return
            command, arguments = ("step", (_NO_TASK_KWARGS,)) if message == STEP_COMMAND else pickle.loads(message)
            if command == "close":
                runner.close()
                replies.send_bytes(pickle.dumps(("ok", None)))
                return
            try:
                result = getattr(runner, command)(*arguments)
                reply = (pickle.dumps(("ok", result), protocol=pickle.HIGHEST_PROTOCOL) if command == "step"
                         else cloudpickle.dumps(("ok", result)))
            except Exception as error:
                reply = error_reply(error)
            send(reply)
    finally:
        runner.close()
