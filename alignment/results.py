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
        future, mine = self._claim(key)
        if mine:
            self._pool.submit(self._fill, key, future, compute)
        return future

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The key's result, waiting for it; a failure is raised here and not kept."""
        return self.start(key, compute).result()

    def here(self, key: Hashable, compute: Callable[[], T]) -> T:
        """The key's result, computed on this thread unless kept or under way: a computation that
        needs another's result (an analysis its shared parts) never waits for a free worker, so the
        pool cannot deadlock on itself."""
        future, mine = self._claim(key)
        if mine:
            self._fill(key, future, compute)
        return future.result()

    def _claim(self, key: Hashable) -> tuple[Future[T], bool]:
        """The key's kept or running future, or a new one this caller must fill (a failed one is
        replaced), the oldest entries dropped beyond the bound."""
        with self._lock:
            future = self._futures.get(key)
            if future is not None and not (future.done() and future.exception() is not None):
                self._futures.move_to_end(key)
                return future, False
            future = Future()
            self.computed += 1
            self._futures[key] = future
            while len(self._futures) > self.max_entries:
                self._futures.popitem(last=False)
            return future, True

    def _fill(self, key: Hashable, future: Future[T], compute: Callable[[], T]) -> None:
        """Compute into ``future``; a failure is told to every waiter and not kept."""
        try:
            future.set_result(compute())
        except BaseException as exc:
            with self._lock:
                if self._futures.get(key) is future:
                    del self._futures[key]
            future.set_exception(exc)

    def clear(self) -> None:
        with self._lock:
            self._futures.clear()
