"""The main-process side of teachgym.vector: :class:`VectorEngine` runs ``n_envs`` envs on ``workers`` processes
(several envs per worker, stepped in a loop there), in this process, or both (this process stepping its own share
while the workers step theirs), through one shared block (:mod:`.buffers`) and one small command per worker per step.

Faults: every wait for a worker also watches its process, so a worker that dies (a segfault, a kill) raises
:class:`WorkerError` naming the envs it held, at once, and the engine closes the others. An exception raised by an
env in a worker comes back as itself, with the worker's traceback as a note; the worker lives on. ``close()`` always
reaps every worker (politely, then by force).

Over 300 lines because the in-process and process workers and the engine share the command protocol and the fault
handling (dead workers, close); they are one mechanism.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import select
import weakref
from collections.abc import Callable, Sequence
from typing import Any

import cloudpickle
import gymnasium as gym
import numpy as np

from teachgym.errors import TaskError, TeachgymError
from teachgym.task_space import TaskLike, TaskSpace
from teachgym.validation import check_integer, check_number

from .buffers import SKIP, STEP, SharedBuffers, block_size, buffer_layout
from .worker import (
    SPIN_S,
    STEP_COMMAND,
    EnvRunner,
    MessageReader,
    StepResult,
    readable_poller,
    spin_until_ready,
    worker_main,
    write_message,
)

CLOSE_TIMEOUT_S = 5.0
LIVENESS_CHECK_S = 0.5


class WorkerError(TeachgymError, RuntimeError):
    """A worker process of a vector env died, or the vector env was used after it was closed."""


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity where the platform says, else ``os.cpu_count()``)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def default_start_method() -> str:
    """``"forkserver"`` where available, else ``"spawn"``: never ``fork``, which can deadlock a child of a process
    that has started torch's thread pools."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def preload_in_forkserver(start_method: str, modules: Sequence[str]) -> None:
    """With ``forkserver``, have the fork server import ``modules``, this engine and the main module (which every
    child imports otherwise: a test runner's takes a second) when it starts, so that its children start in
    milliseconds rather than each importing them (SB3 and torch take seconds). It only counts if the fork server
    has not started yet in this process; other start methods ignore it."""
    if start_method == "forkserver":
        multiprocessing.get_context("forkserver").set_forkserver_preload(["__main__", __name__, *modules])


def split_envs(n_envs: int, workers: int) -> list[list[int]]:
    """Env indices per worker: contiguous blocks as even as can be (the first blocks one env larger)."""
    return [block.tolist() for block in np.array_split(np.arange(n_envs), workers)]


class _LocalWorker:
    """A runner in this process, behind the same send/receive interface as a worker process."""

    def __init__(self, runner: EnvRunner):
        self.indices = runner.indices
        self.runner = runner
        self._result: tuple[bool, Any] = (True, None)

    def send(self, command: str, arguments: tuple) -> None:
        try:
            self._result = (True, getattr(self.runner, command)(*arguments))
        except Exception as error:
            self._result = (False, error)

    def receive(self) -> Any:
        succeeded, value = self._result
        self._result = (True, None)
        if not succeeded:
            raise value
        return value

    def close(self) -> None:
        self.runner.close()


class _ProcessWorker:
    """A worker process serving one runner (:func:`~.worker.worker_main`): commands go through one pipe, replies come
    back through another."""

    def __init__(self, number: int, context: Any, block: Any, layout: Any, env_fn: bytes, indices: list[int],
                 spin_s: float):
        self.number = number
        self.indices = indices
        self.spin_s = spin_s
        # Two one-way pipes rather than one two-way connection, which is a socket pair on POSIX: a round trip through
        # pipes takes half the time (3.1 against 6.3 microseconds on a 2-core virtual machine).
        self.replies, reply_end = context.Pipe(duplex=False)
        command_end, self.commands = context.Pipe(duplex=False)
        self.process = context.Process(target=worker_main,
                                       args=(command_end, reply_end, block, layout, env_fn, indices, spin_s),
                                       name=f"teachgym.vector worker {number}", daemon=True)
        self.process.start()
        command_end.close()
        reply_end.close()
        # One poll set for the life of the worker (its reply pipe and its process sentinel), rather than a selector
        # built at each wait: a worker that dies wakes it at once, through either.
        self._reply_fd = self.replies.fileno()
        self._poller = readable_poller(self._reply_fd)
        self._reader = None  # where the platform has no poll (Windows), the Connection methods instead
        if self._poller is not None:
            self._poller.register(self.process.sentinel, select.POLLIN)
            self._reader = MessageReader(self._reply_fd)

    def send(self, command: str, arguments: tuple) -> None:
        if command == "step" and not arguments[0]:
            message = STEP_COMMAND  # nearly every call: nothing to pickle
        else:
            message = pickle.dumps((command, arguments), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if self._reader is None:
                self.commands.send_bytes(message)
            else:
                write_message(self.commands.fileno(), message)
        except (BrokenPipeError, ConnectionResetError, OSError):
            self._raise_death()

    def receive(self) -> Any:
        self._wait_for_reply()
        try:
            message = self.replies.recv_bytes() if self._reader is None else self._reader.read()
            status, *reply = pickle.loads(message)
        except (EOFError, OSError):
            self._raise_death()
        if status == "error":
            error, text = reply
            error.add_note(f"raised in teachgym.vector worker {self.number} (envs {self.indices}):\n{text}")
            raise error
        return reply[0]

    def close(self) -> None:
        """Ask the worker to close its envs and exit; terminate it (then kill it) if it does not in time."""
        if self.process.is_alive():
            try:
                self.commands.send_bytes(pickle.dumps(("close", ())))
                if self.replies.poll(CLOSE_TIMEOUT_S):
                    self.replies.recv_bytes()
            except (EOFError, OSError):
                pass
        _reap(self.process)
        self.commands.close()
        self.replies.close()

    def _wait_for_reply(self) -> None:
        """Return once a reply can be read (or the pipe has closed, which reading reports); raise
        :class:`WorkerError` if the process has died without one."""
        if self._reader is None:
            # A dead worker's end of the pipe closes, which wakes the poll; the liveness check covers the rest.
            while not self.replies.poll(LIVENESS_CHECK_S):
                if not self.process.is_alive():
                    self._raise_death()
            return
        if self._reader.has_data:
            return
        # The reply (or the worker's death) is seen at once while spinning, else by the sleeping poll.
        ready = spin_until_ready(self._poller, self.spin_s)
        while True:
            descriptors = [fd for fd, _ in ready]
            if self._reply_fd in descriptors:
                return
            if descriptors or not self.process.is_alive():
                self._raise_death()
            ready = self._poller.poll(int(LIVENESS_CHECK_S * 1000))

    def _raise_death(self) -> None:
        self.process.join(CLOSE_TIMEOUT_S)
        raise WorkerError(f"teachgym.vector worker {self.number} (pid {self.process.pid}) {_exit_reason(self.process)} "
                          f"holding envs {self.indices}; the vector env is closed")


def _exit_reason(process: multiprocessing.process.BaseProcess) -> str:
    code = process.exitcode
    if code is None:
        return "stopped answering"
    if code < 0:
        try:
            import signal

            return f"was killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"was killed by signal {-code}"
    return f"exited with code {code}"


def _reap(process: multiprocessing.process.BaseProcess) -> None:
    process.join(CLOSE_TIMEOUT_S)
    if process.is_alive():
        process.terminate()
        process.join(CLOSE_TIMEOUT_S)
    if process.is_alive():
        process.kill()
        process.join()


def _close_workers(workers: Sequence[_LocalWorker | _ProcessWorker]) -> None:
    for worker in workers:
        worker.close()


class VectorEngine:
    """``n_envs`` envs built by ``env_fn``, on ``workers`` worker processes (0: in this process).

    Args:
        env_fn: builds one env; picklable by cloudpickle when there are worker processes.
        n_envs: how many envs.
        workers: worker processes (at most ``n_envs``; 0: every env in this process). None: one share of the envs
            per usable core (:func:`usable_cores`, at most ``n_envs`` shares), this process stepping the last,
            smallest one while a worker process each steps the others, rather than waiting idle for them: on 2
            cores, 1 worker; on 1 core, none.
        start_method: multiprocessing start method of the workers; None for :func:`default_start_method`.
        preload: modules that ``env_fn`` imports; with ``forkserver``, the fork server imports them once (if this
            is the first vector env to start it), so that each worker starts in milliseconds, not seconds.
        spin_s: seconds a worker, and this process, keep checking for the other side's next message (yielding the
            core at each check) before they sleep on the pipe; 0 sleeps at once and spends no CPU waiting, at the
            cost of a wake-up per message (see :mod:`.worker`).

    Attributes:
        buffers: the shared block's views (observations, actions, rewards, terminated, truncated, operations, tasks).
        task_space: the envs' task space (of the outermost wrapper that has one), or None for envs without one.
        observation_space, action_space: one env's spaces.

    Raises:
        TeachgymError: for a bad ``n_envs``, ``workers`` or ``spin_s``, or spaces that are not one array per env.
        Whatever building the envs raises (in this process, before any worker starts).
    """

    def __init__(self, env_fn: Callable[[], gym.Env], n_envs: int, *, workers: int | None = None,
                 start_method: str | None = None, preload: Sequence[str] = (), spin_s: float = SPIN_S):
        check_integer("teachgym.vector: n_envs", n_envs, minimum=1, error=TeachgymError)
        if workers is not None:
            check_integer("teachgym.vector: workers", workers, minimum=0, error=TeachgymError)
        spin_s = check_number("teachgym.vector: spin_s", spin_s, low=0.0, error=TeachgymError)
        self.num_envs = int(n_envs)
        probe = env_fn()  # bad env arguments fail here, in this process, with the env's own error
        try:
            self.observation_space = probe.observation_space
            self.action_space = probe.action_space
            self.metadata = dict(probe.metadata)
            self.render_mode = probe.render_mode
            try:
                self.task_space: TaskSpace | None = probe.get_wrapper_attr("task_space")
            except AttributeError:
                self.task_space = None
        finally:
            probe.close()
        layout = buffer_layout(self.num_envs, self.observation_space, self.action_space,
                               self.task_space.ndim if self.task_space is not None else 0)
        if workers is None:
            n_workers, in_main = min(usable_cores(), self.num_envs) - 1, True
        else:
            n_workers = min(int(workers), self.num_envs)
            in_main = n_workers == 0
        shares = split_envs(self.num_envs, n_workers + int(in_main))
        self._closed = False
        self._pending_step = False
        self._task_kwargs: dict[int, dict[str, Any]] = {}
        self._sent_task_kwargs: list[dict[str, Any]] = [{} for _ in range(self.num_envs)]
        if n_workers == 0:
            block: Any = bytearray(block_size(layout))
        else:
            context = multiprocessing.get_context(start_method or default_start_method())
            preload_in_forkserver(context.get_start_method(), preload)
            block = context.RawArray("b", block_size(layout))
        self.buffers = SharedBuffers(block, layout)
        self.workers: list[_LocalWorker | _ProcessWorker] = []
        try:
            if n_workers:
                payload = cloudpickle.dumps(env_fn)
                for number, indices in enumerate(shares[:n_workers]):
                    self.workers.append(_ProcessWorker(number, context, block, layout, payload, indices, spin_s))
            if in_main:  # last, so that a step's commands reach the workers before this process steps its envs
                self.workers.append(_LocalWorker(EnvRunner(env_fn, shares[-1], self.buffers)))
            for worker in self.workers:
                worker.receive()  # the envs are built, or the worker's error is raised here
        except BaseException:
            _close_workers(self.workers)
            raise
        self._worker_of = np.zeros(self.num_envs, dtype=np.int64)
        for number, worker in enumerate(self.workers):
            self._worker_of[worker.indices] = number
        self._finalizer = weakref.finalize(self, _close_workers, self.workers)

    @property
    def n_workers(self) -> int:
        """Worker processes (0 when every env runs in this process)."""
        return sum(isinstance(worker, _ProcessWorker) for worker in self.workers)

    @property
    def closed(self) -> bool:
        return self._closed

    # --------------------------------------------------------------------------------------------- tasks
    def set_task(self, index: int, task: TaskLike, **kwargs: Any) -> None:
        """Queue ``task`` for env ``index``'s next reset (its explicit reset, or its autoreset inside a step), where
        the env's ``set_task(task, **kwargs)`` is called just before it; a later ``set_task`` before that reset
        replaces it. Once used, a task stays the env's task for its later resets until another is set (as
        ``ParametricEnv.set_task`` does).

        Raises:
            TaskError: naming the env index, for a task outside the task space (nothing is queued, no worker sees
                it); also for envs without a task space, or an index out of range.
        """
        if self.task_space is None:
            raise TaskError("teachgym.vector: these envs have no task_space, so they take no task")
        check_integer("set_task: env index", index, minimum=0, maximum=self.num_envs - 1, error=TaskError)
        try:
            vector = self.task_space.validate(task)
        except TaskError as error:
            raise TaskError(f"env {index}: {error}") from None
        self._check_open()
        if self._pending_step:
            raise TeachgymError("set_task between step_async() and step_wait(): the workers are reading the task "
                                "slots; call it before step_async() or after step_wait()")
        self.buffers.tasks[index, : vector.size] = vector
        self.buffers.task_pending[index] = True
        if kwargs != self._sent_task_kwargs[index]:
            self._task_kwargs[int(index)] = dict(kwargs)
            self._sent_task_kwargs[index] = dict(kwargs)

    # --------------------------------------------------------------------------------------------- stepping
    def step_async(self, operations: np.ndarray) -> None:
        """Start every env's operation (:mod:`.buffers`' codes; the actions must be in ``buffers.actions``)."""
        self._check_open()
        self.buffers.operations[:] = operations
        self._pending_step = True
        active = operations != SKIP
        busy = self.workers if active.all() else [worker for worker in self.workers if active[worker.indices].any()]
        self._busy = busy
        self._broadcast(busy, "step", lambda worker: (self._take_task_kwargs(worker),))

    def step_wait(self) -> StepResult:
        """Wait for the operations of :meth:`step_async`; the infos of the envs that did one, and the results of
        the autoresets, by env index."""
        if not self._pending_step:
            raise WorkerError("step_wait() without a step_async() before it")
        self._pending_step = False
        infos: dict[int, dict[str, Any]] = {}
        resets: dict[int, tuple[np.ndarray, dict[str, Any]]] = {}
        for worker_infos, worker_resets in self._gather(self._busy):
            infos.update(worker_infos)
            resets.update(worker_resets)
        return infos, resets

    def step(self, operations: np.ndarray | int = STEP) -> StepResult:
        """:meth:`step_async` then :meth:`step_wait` (one operation code for all envs, or one per env)."""
        self.step_async(np.broadcast_to(np.asarray(operations, dtype=np.int8), (self.num_envs,)))
        return self.step_wait()

    def reset(self, indices: Sequence[int] | None = None, seeds: Sequence[int | None] | None = None,
              options: Sequence[dict[str, Any] | None] | None = None) -> dict[int, dict[str, Any]]:
        """Reset the envs ``indices`` (all by default), each with its seed and options; returns their reset infos
        by env index (their observations are in ``buffers.observations``)."""
        self._check_open()
        self._finish_pending_step()
        indices = list(range(self.num_envs)) if indices is None else [int(index) for index in indices]
        seeds = [None] * len(indices) if seeds is None else list(seeds)
        options = [None] * len(indices) if options is None else list(options)
        chosen = dict(zip(indices, zip(seeds, options)))
        busy = [worker for worker in self.workers if any(index in chosen for index in worker.indices)]

        def arguments(worker: _LocalWorker | _ProcessWorker) -> tuple:
            mine = [index for index in worker.indices if index in chosen]
            return (mine, [chosen[index][0] for index in mine], [chosen[index][1] for index in mine],
                    self._take_task_kwargs(worker))

        self._broadcast(busy, "reset", arguments)
        infos: dict[int, dict[str, Any]] = {}
        for worker_infos in self._gather(busy):
            infos.update(worker_infos)
        return infos

    # --------------------------------------------------------------------------------------------- the envs
    def call(self, command: str, indices: Sequence[int], *arguments: Any) -> list[Any]:
        """Run the runner method ``command`` (``call``, ``get_attr``, ``set_attr``, ``is_wrapped``) on the envs
        ``indices``, with ``arguments`` after the indices; the results in the order of ``indices``."""
        self._check_open()
        self._finish_pending_step()
        indices = [int(index) for index in indices]
        chosen = set(indices)
        busy = [worker for worker in self.workers if chosen.intersection(worker.indices)]
        self._broadcast(busy, command,
                        lambda worker: ([index for index in worker.indices if index in chosen], *arguments))
        by_index: dict[int, Any] = {}
        for worker, results in zip(busy, self._gather(busy)):
            mine = [index for index in worker.indices if index in chosen]
            by_index.update(zip(mine, results if results is not None else [None] * len(mine)))
        return [by_index[index] for index in indices]

    def close(self) -> None:
        """Close every env and reap every worker process; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        self._finalizer()

    # --------------------------------------------------------------------------------------------- internals
    def _check_open(self) -> None:
        if self._closed:
            raise WorkerError("this teachgym.vector env is closed")

    def _finish_pending_step(self) -> None:
        """Read the replies of a step started and never waited for (a reset or a call cancels it)."""
        if self._pending_step:
            self.step_wait()

    def _take_task_kwargs(self, worker: _LocalWorker | _ProcessWorker) -> dict[int, dict[str, Any]]:
        if not self._task_kwargs:
            return {}
        return {index: self._task_kwargs.pop(index) for index in worker.indices if index in self._task_kwargs}

    def _broadcast(self, workers: Sequence[_LocalWorker | _ProcessWorker], command: str,
                   arguments: Callable[[Any], tuple]) -> None:
        try:
            for worker in workers:
                worker.send(command, arguments(worker))
        except WorkerError:
            self.close()
            raise

    def _gather(self, workers: Sequence[_LocalWorker | _ProcessWorker]) -> list[Any]:
        """Every worker's reply, in order; after an error (an env's), every other reply is still read, so that
        the pipes stay in step."""
        results, failure = [], None
        for worker in workers:
            try:
                results.append(worker.receive())
            except WorkerError:
                self.close()
                raise
            except Exception as error:
                failure = failure or error
                results.append(None)
        if failure is not None:
            raise failure
        return results
