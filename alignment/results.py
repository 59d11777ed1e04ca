"""Analysis results shared by every session of one server, computed in the background.

A page names the analyses it will show before it draws anything (``start``); they run on a small
pool of threads while the page renders what it already has, and each later ``get`` waits only for
what is still running. DuckDB runs a query without Python's lock, so two analyses and the page's
own rendering overlap on two cores instead of queueing behind each other.

Each result is kept per key (database, data version, analysis, parameters): concurrent viewers of
one view share a single computation, a new data version is a new key (an upload, undo, restore,
live answer or setting leaves older results unused), and the oldest entries go first beyond a bound.
A failed computation is not kept, so the next request tries again.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Generic, TypeVar

T = TypeVar("T")


class Results(Generic[T]):
    def __init__(self, workers: int = 2, max_entries: int = 2000) -> None:
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="analysis")
        self._futures: OrderedDict[Hashable, Future[T]] = OrderedDict()
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.computed = 0  # computations started (for tests: a second request must not add one)

    def start(self, key: Hashable, compute: Callable[[], T]) -> Future[T]:
        """The key's result, computing it in the background unless it is kept or under way."""
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not (future.done() and future.exception() is not None):
                self._futures.move_to_end(key)
                return future
            future = self._pool.submit(compute)
            self.computed += 1
            self._futures[key] = future
            while len(self._futures) > self.max_entries:
                self._futures.popitem(last=False)
        future.add_done_callback(lambda done: self._forget_failure(key, done))
        return future

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The key's result, waiting for it; a failure is raised here and not kept."""
        return self.start(key, compute).result()

    def here(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The key's result, computed on this thread unless kept or under way: a computation that
        needs another's result (an analysis its shared parts) never waits for a free worker, so the
        pool cannot deadlock on itself."""
        with self._lock:
            future = self._futures.get(key)
            mine = future is None or (future.done() and future.exception() is not None)
            if mine:
                future = Future()
                self.computed += 1
                self._futures[key] = future
                while len(self._futures) > self.max_entries:
                    self._futures.popitem(last=False)
            else:
                self._futures.move_to_end(key)
        if mine:
            try:
                future.set_result(compute())
            except BaseException as exc:
                future.set_exception(exc)
                self._forget_failure(key, future)
        return future.result()

    def _forget_failure(self, key: Hashable, future: Future[T]) -> None:
        if future.exception() is not None:
            with self._lock:
                if self._futures.get(key) is future:
                    del self._futures[key]

    def clear(self) -> None:
        with self._lock:
            self._futures.clear()
