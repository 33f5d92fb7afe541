"""Pinning BLAS to one thread around a teacher's heavy numerical work (mixture fits, region splits).

With default threads, tiny linear-algebra calls inside scikit-learn's fits ran 8-19x slower on small machines. The
controller (a scan of the loaded libraries, about 1.4 ms) is built once and reused: entering a limit then costs
about 15 microseconds, so it is used around fits, not around every sample.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from functools import lru_cache

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller() -> ThreadpoolController:
    return ThreadpoolController()


def single_blas_thread() -> AbstractContextManager:
    """A context in which BLAS and OpenMP pools run on one thread."""
    return _controller().limit(limits=1)
