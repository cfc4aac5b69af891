"""Mapping a function over many items in worker processes, when there are enough of them to pay for
starting the workers (parsing with `ast`, fixing with LibCST); and the deep stack an analysis runs on."""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
from typing import Callable, Iterator, List, Sequence, TypeVar

T = TypeVar("T")

# Resolution follows chains recursively: an alias chain thousands long needs a deep stack, so an analysis
# runs in a thread with a large one (the main thread's cannot be enlarged).
STACK_BYTES = 512 * 1024 * 1024
RECURSION_LIMIT = 200_000


def allow_deep_recursion() -> None:
    """Threads started from now on get a deep stack, and Python a recursion limit that uses it."""
    sys.setrecursionlimit(max(sys.getrecursionlimit(), RECURSION_LIMIT))
    threading.stack_size(STACK_BYTES)


def on_deep_stack(function: Callable[[], T]) -> T:
    """`function()` in a thread with a deep stack, its exception raised here; the process's stack size and
    recursion limit are put back after it (a host process, like pytest, keeps its own)."""
    limit, size = sys.getrecursionlimit(), threading.stack_size()
    outcome: List = []

    def run() -> None:
        try:
            outcome.append((True, function()))
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
            outcome.append((False, exc))

    allow_deep_recursion()
    try:
        worker = threading.Thread(target=run, name="ssot-lint analysis", daemon=True)
        worker.start()
        worker.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    done, value = outcome[0]
    if not done:
        raise value
    return value


def process_map(function: Callable, *iterables: Sequence, jobs: int, threshold: int,
                chunks_per_job: int) -> Iterator:
    """`map(function, *iterables)`, in order; in `jobs` processes when there are `threshold` items or more.
    Consume it fully: the workers live until the last result is taken."""
    count = len(iterables[0])
    if not in_parallel(count, jobs, threshold):
        yield from map(function, *iterables)
        return
    from concurrent.futures import ProcessPoolExecutor  # (imported when needed: a warm run starts no worker)

    with ProcessPoolExecutor(max_workers=jobs, initializer=_start_worker, initargs=(os.getpid(),)) as pool:
        yield from pool.map(function, *iterables, chunksize=max(1, count // (jobs * chunks_per_job)))


def in_parallel(count: int, jobs: int, threshold: int) -> bool:
    """Does `process_map` run this many items in worker processes?"""
    return jobs > 1 and count >= threshold


def _start_worker(parent: int) -> None:
    # The workers build many objects and no cycles: the cyclic collector only costs (see engine/run.py).
    gc.disable()
    threading.Thread(target=_exit_when_orphaned, args=(parent,), daemon=True).start()


def _exit_when_orphaned(parent: int) -> None:
    """A worker whose parent is gone (Ctrl-C ends it with `os._exit`) exits too. Otherwise it would wait for
    work forever, holding the parent's stdout and stderr open: the Ctrl-C handler terminates the workers it
    sees, but one started at that very moment escapes it."""
    while os.getppid() == parent:
        time.sleep(0.2)
    os._exit(1)
