"""Mapping a function over many items in worker processes, when there are enough of them to pay for
starting the workers (parsing with `ast`, fixing with LibCST)."""

from __future__ import annotations

import gc
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterator, Sequence


def process_map(function: Callable, *iterables: Sequence, jobs: int, threshold: int,
                chunks_per_job: int) -> Iterator:
    """`map(function, *iterables)`, in order; in `jobs` processes when there are `threshold` items or more.
    Consume it fully: the workers live until the last result is taken."""
    count = len(iterables[0])
    if jobs <= 1 or count < threshold:
        yield from map(function, *iterables)
        return
    # The workers build many objects and no cycles: the cyclic collector only costs (see engine.py).
    with ProcessPoolExecutor(max_workers=jobs, initializer=gc.disable) as pool:
        yield from pool.map(function, *iterables, chunksize=max(1, count // (jobs * chunks_per_job)))
