"""A generous alarm per case: a hang fails the test instead of blocking the suite (not a timing assertion)."""

import contextlib
import signal
import threading


class Hang(AssertionError):
    """The case ran past its alarm."""


@contextlib.contextmanager
def no_hang(seconds: float = 30.0, what: str = ""):
    """Fail with :class:`Hang` if the block runs past ``seconds`` (main thread, POSIX; else no alarm)."""
    if not hasattr(signal, "setitimer") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def ring(signum, frame):
        raise Hang(f"still running after {seconds} s: {what[:80]}")

    old = signal.signal(signal.SIGALRM, ring)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
