"""The live processes below a process, read from Linux's /proc: what the kill-safety benchmark and the sweep tests
use to find a sweep's pool workers and to wait for them to end."""

from __future__ import annotations

from pathlib import Path

_PROC = Path("/proc")
_ENDED = "ZX"  # zombies and the dead have run their last line


def _state_and_parent(pid_folder: Path) -> tuple[str, int] | None:
    """A process's state letter and parent pid from its ``stat`` line, or None once it is gone."""
    try:
        fields = (pid_folder / "stat").read_text().rsplit(")", 1)[1].split()
        return fields[0], int(fields[1])
    except (OSError, IndexError, ValueError):
        return None


def descendants(root: int) -> set[int]:
    """The pids of every live process below ``root`` (children, their children, ...), ``root`` itself excluded."""
    parents = {}
    for folder in _PROC.glob("[0-9]*"):
        read = _state_and_parent(folder)
        if read is not None and read[0] not in _ENDED:
            parents[int(folder.name)] = read[1]
    found: set[int] = set()
    frontier = {root}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    read = _state_and_parent(_PROC / str(pid))
    return read is not None and read[0] not in _ENDED
