"""Checking files in parallel: a pool of worker processes, each with its own engine, results in order.

The caller hands over the function that checks one item and the engine it needs; this module knows nothing
else of the pipeline.

Each worker checks one file at a time and sends back its result, so memory stays flat: no worker holds more
than one file, and the parent streams results to the reporter in discovery order as they arrive. Where
``fork`` exists, workers inherit the parent's engine as it is; elsewhere the engine is sent to them pickled
the way the compiled-pack cache stores it (patterns as source, compiled on first use).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MIN_FILES = 8  # fewer files than this are checked in-process: starting workers would cost more
_worker: Any = None  # (check function, engine) of this worker process


def worker_count(jobs: int) -> int:
    """``--jobs``/``jobs``: 0 means one per core."""
    return jobs if jobs > 0 else (os.cpu_count() or 1)


def run_parallel(items: Sequence[Any], check: Callable[[Any, Any], Any], engine: Any, jobs: int) -> Iterator[Any]:
    """``check(item, engine)`` for each of ``items`` with ``jobs`` workers, yielding the results in order.
    ``check`` must be a module-level function (workers find it by name)."""
    global _worker
    context = _context()
    if context.get_start_method() == "fork":
        _worker, payload = (check, engine), None  # the workers inherit it
    else:
        payload = _pickled((check, engine))
    chunk = max(1, min(64, len(items) // (jobs * 8)))
    try:
        with context.Pool(jobs, initializer=_start_worker, initargs=(payload,)) as pool:
            yield from pool.imap(_check, items, chunksize=chunk)
    finally:
        _worker = None


def _context() -> Any:
    import multiprocessing  # imported here: most runs of one or a few files never start workers

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else methods[0])


def _pickled(value: Any) -> bytes:
    import pickle

    return pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)


def _start_worker(payload: bytes | None) -> None:
    import signal

    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it stops the pool
    if payload is not None:
        import pickle

        _worker = pickle.loads(payload)


def _check(item: Any) -> Any:
    check, engine = _worker
    return check(item, engine)
