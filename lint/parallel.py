"""Checking files in parallel: a pool of worker processes, each with its own engine, results in order.

The caller hands over the function that checks one item, the engine it needs, and the function that makes
the result of an item that could not be checked; this module knows nothing else of the pipeline.

Workers check a few files at a time and send back their results, so memory stays flat: the parent keeps a
short window of chunks in flight and streams results to the reporter in discovery order as they arrive.
Where ``fork`` exists, workers inherit the parent's engine as it is; elsewhere the engine is sent to them
pickled the way the compiled-pack cache stores it (patterns as source, compiled on first use).

Nothing one file does can cost the others their results: an exception while checking a file becomes that
file's "not checked" result, and a worker that dies (killed, out of memory) breaks the pool without hanging
the run. The chunks that were in flight are then checked again one file at a time in a fresh one-worker
pool, so the file that kills its worker is found and reported, and every other file is checked.
"""

from __future__ import annotations

import os
import sys
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from typing import Any

MIN_FILES = 8  # fewer files than this are checked in-process: starting workers would cost more
MAX_JOBS = 32  # more workers than this only multiply the memory each holds (the rule set, ~150 MB)
_worker: Any = None  # (check function, engine) of this worker process


def usable_cpus() -> int:
    """The CPUs this process may run on: its affinity mask (taskset, cgroups cpusets), not the machine's."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13+
        return os.process_cpu_count() or 1
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def worker_count(jobs: int) -> int:
    """``--jobs``/``jobs``: 0 means one per usable CPU; never more than the usable CPUs or MAX_JOBS (more
    processes than CPUs cannot check faster, they only take memory)."""
    cpus = usable_cpus()
    limit = min(cpus, MAX_JOBS, 61 if sys.platform == "win32" else MAX_JOBS)  # Windows waits on <= 61 handles
    return max(1, min(jobs if jobs > 0 else cpus, limit))


def run_parallel(
    items: Sequence[Any],
    check: Callable[[Any, Any], Any],
    engine: Any,
    jobs: int,
    failed: Callable[[Any, str, bool], Any],
) -> Iterator[Any]:
    """``check(item, engine)`` for each of ``items`` with ``jobs`` workers, yielding the results in order;
    ``failed(item, why, raised)`` stands for an item whose check raised (``raised``: a bug) or whose worker
    died. ``check`` must be a
    module-level function (workers find it by name)."""
    global _worker
    context = _context()
    if context.get_start_method() == "fork":
        _worker, payload = (check, engine), None  # the workers inherit it
    else:
        payload = _pickled((check, engine))
    size = max(1, min(64, len(items) // (jobs * 8)))
    chunks = deque(list(items[i : i + size]) for i in range(0, len(items), size))
    try:
        yield from _ordered(chunks, lambda n: _pool(context, n, payload), jobs, failed)
    finally:
        _worker = None


def _ordered(chunks: deque, new_pool: Callable[[int], Any], jobs: int, failed: Callable[[Any, str, bool], Any]):
    from concurrent.futures.process import BrokenProcessPool

    pool = new_pool(jobs)
    pending: deque = deque()  # (chunk, future), oldest first: results are yielded in this order
    finished = False
    try:
        while chunks or pending:
            while chunks and len(pending) < 2 * jobs:  # enough in flight to keep every worker busy
                chunk = chunks.popleft()
                pending.append((chunk, pool.submit(_check_chunk, chunk)))
            chunk, future = pending.popleft()
            try:
                outcomes = future.result()
            except BrokenProcessPool:  # a worker died: this chunk and every unfinished one are suspects
                _stop(pool)
                for c, f in [(chunk, future), *pending]:
                    if _finished(f):
                        yield from _results(c, f.result(), failed)
                    else:
                        yield from _one_at_a_time(c, new_pool, failed)
                pending.clear()
                pool = new_pool(jobs)
                continue
            yield from _results(chunk, outcomes, failed)
        finished = True
    finally:
        if finished:
            pool.shutdown(wait=True)
        else:  # interrupted, or the reader stopped early: do not wait for the workers
            _stop(pool)


def _finished(future: Any) -> bool:
    return future.done() and not future.cancelled() and future.exception() is None


def _results(chunk: list, outcomes: list, failed: Callable[[Any, str, bool], Any]) -> Iterator[Any]:
    for item, (ok, value) in zip(chunk, outcomes, strict=True):
        yield value if ok else failed(item, value, True)


def _one_at_a_time(chunk: list, new_pool: Callable[[int], Any], failed: Callable[[Any, str, bool], Any]):
    """Check each item of ``chunk`` alone in a one-worker pool: if the worker dies, that item killed it."""
    from concurrent.futures.process import BrokenProcessPool

    pool = new_pool(1)
    try:
        for item in chunk:
            try:
                ((ok, value),) = pool.submit(_check_chunk, [item]).result()
            except BrokenProcessPool:
                _stop(pool)
                pool = new_pool(1)
                yield failed(item, "the worker process checking it died (killed, or out of memory)", False)
                continue
            yield value if ok else failed(item, value, True)
    finally:
        _stop(pool)


def _pool(context: Any, workers: int, payload: bytes | None) -> Any:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker, initargs=(payload,))


def _stop(pool: Any) -> None:
    """Stop ``pool`` now, without waiting for the chunks its workers are on (after Ctrl-C, a broken pool, or
    a reader that went away), and wait for its manager thread: left running, it fails at interpreter exit."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    manager = getattr(pool, "_executor_manager_thread", None)
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    if manager is not None:
        manager.join(timeout=30)


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
    if hasattr(signal, "SIGTERM"):
        signal.signal(signal.SIGTERM, signal.SIG_DFL)  # stopping a worker stops it, whatever the parent holds
    if payload is not None:
        import pickle

        _worker = pickle.loads(payload)


def _check_chunk(chunk: list) -> list[tuple[bool, Any]]:
    """Each item's (True, result), or (False, why) when checking it raised: the other items still count."""
    check, engine = _worker
    out: list[tuple[bool, Any]] = []
    for item in chunk:
        try:
            out.append((True, check(item, engine)))
        except Exception as exc:  # noqa: BLE001 - a bug on one file must not cost the others their results
            why = f"internal error: {type(exc).__name__}: {exc}"
            if os.environ.get("CLINIC_LINT_DEBUG"):
                import traceback

                why += "\n" + traceback.format_exc()
            else:
                why += " (set CLINIC_LINT_DEBUG=1 for details)"
            out.append((False, why))
    return out
