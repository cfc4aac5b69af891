"""Mapping a function over many items in worker processes, when there are enough of them to pay for
starting the workers (parsing with `ast`, fixing with LibCST)."""

from __future__ import annotations

import gc
import os
import threading
import time
from typing import Callable, Iterator, Sequence


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
