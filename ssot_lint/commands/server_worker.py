"""The language server's analysis thread: one analysis at a time, after a short quiet period, never a queue.

An editor sends a change on every keystroke, and an analysis that re-runs the rules on a large project
takes longer than the gap between two. So a change asks for a run (`request`) once `delay` seconds pass
without another request (the debounce: a burst of keystrokes or a multi-cursor edit is one run; short,
since most analyses, of an edit to a file nothing tracked reads, take milliseconds), or at the latest
`max_delay` seconds after the first request still waiting (so that steady typing still gets
diagnostics). Requests that arrive while an
analysis runs are coalesced into one more run, which reads the contents as they are when it starts:
however fast the typing, at most one analysis runs and at most one waits, and the one that waits is
always of the latest contents. Whoever publishes the results drops those of a document changed since
the run read it (the run that follows publishes it).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, Optional

logger = logging.getLogger(__name__)

QUIET_PERIOD = 0.03  # seconds without a change before an analysis starts
MAX_DELAY = 1.0  # ... but no later than this after the first change it waits for


class AnalysisWorker:
    """Runs `job` in a thread of its own, when asked, one run at a time (see the module docstring)."""

    def __init__(self, job: Callable[[], None], *, max_delay: float = MAX_DELAY,
                 clock: Callable[[], float] = time.monotonic, name: str = "ssot-lint analysis"):
        self._job = job
        self._max_delay = max_delay
        self._clock = clock
        self._condition = threading.Condition()
        self._due: Optional[float] = None  # when the next run may start; None: no run is asked for
        self._first: Optional[float] = None  # when the oldest request still waiting was made
        self._running = False
        self._stopped = False
        self.runs = 0  # runs started so far
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def request(self, delay: float = QUIET_PERIOD) -> None:
        """Ask for a run `delay` seconds from now; a later request moves it (within `max_delay`)."""
        with self._condition:
            now = self._clock()
            if self._first is None:
                self._first = now
            self._due = min(now + delay, self._first + self._max_delay)
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopped = True
            self._condition.notify()

    def idle(self) -> bool:
        """No run going on and none asked for."""
        with self._condition:
            return not self._running and self._due is None

    def _loop(self) -> None:
        while True:
            with self._condition:
                while not self._stopped:
                    if self._due is not None:
                        wait = self._due - self._clock()
                        if wait <= 0:
                            break
                    else:
                        wait = None
                    self._condition.wait(wait)
                if self._stopped:
                    return
                self._due = self._first = None
                self._running = True
                self.runs += 1
            try:
                self._job()
            except Exception:  # the job reports its own errors; this thread must outlive any of them
                logger.exception("ssot-lint: the analysis failed")
            finally:
                with self._condition:
                    self._running = False
