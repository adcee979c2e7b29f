"""Worker processes that can be killed: where SymPy meets a student's expression.

A timer inside the process does not stop ``9**9**9`` (the big-integer power holds the
interpreter); a separate process does, because it can be killed. :class:`Sandbox` is a small
`pebble <https://pypi.org/project/Pebble/>`_ process pool (chosen for its per-task timeout that
terminates the worker) whose workers run with an address-space limit, so an answer that explodes
costs one worker and its time limit, never the class.

    >>> with Sandbox(workers=1) as box:
    ...     box.run_many(pow, [(2, 10), (3, 3)], timeout=5)
    [(True, 1024), (True, 27)]
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Sequence
from typing import Any

__all__ = ["MEMORY_LIMIT", "Sandbox"]

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space per worker


def _limit(memory: int) -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        cap = memory if hard == resource.RLIM_INFINITY else min(memory, hard)
        resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    except (ImportError, ValueError, OSError):  # not on this platform: the time limit still holds
        pass


class Sandbox:
    """A pool of ``workers`` killable processes, started on first use."""

    def __init__(self, workers: int = 2, memory: int = MEMORY_LIMIT):
        self.workers = max(1, workers)
        self.memory = memory
        self._pool = None

    def _get(self):
        if self._pool is None:
            from pebble import ProcessPool

            self._pool = ProcessPool(max_workers=self.workers, initializer=_limit, initargs=(self.memory,))
        return self._pool

    def run_many(self, fn: Callable[..., Any], jobs: Sequence[tuple], *, timeout: float) -> list[tuple[bool, Any]]:
        """``fn(*job)`` for each job, each within ``timeout`` seconds: ``(True, value)`` or
        ``(False, reason)`` (timed out, out of memory, raised), in the jobs' order."""
        pool = self._get()
        futures = [pool.schedule(fn, args=job, timeout=timeout) for job in jobs]
        out = []
        for fut in futures:
            try:
                out.append((True, fut.result()))
            except concurrent.futures.TimeoutError:
                out.append((False, f"took longer than {timeout:g} s"))
            except MemoryError:
                out.append((False, "needed too much memory"))
            except Exception as exc:  # noqa: BLE001 - a worker's failure is a verdict, not a crash
                name = type(exc).__name__
                out.append((False, "the worker stopped" if name == "ProcessExpired" else f"failed ({name})"))
        return out

    def close(self) -> None:
        if self._pool is not None:
            self._pool.stop()
            self._pool.join()
            self._pool = None

    def __enter__(self) -> Sandbox:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
