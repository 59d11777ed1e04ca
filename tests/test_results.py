import threading

import pytest

from alignment.results import Results


def test_one_view_is_computed_once_for_every_viewer():
    results = Results()
    calls = []

    def compute():
        calls.append(1)
        return object()

    first = results.get(("db", "v1", "nps", ()), compute)
    assert results.get(("db", "v1", "nps", ()), compute) is first
    assert results.get(("db", "v2", "nps", ()), compute) is not first  # a new data version is a new result
    assert len(calls) == 2 and results.computed == 2


def test_a_page_s_analyses_run_side_by_side():
    """Two analyses started together must both be running at once: each waits for the other here,
    so computing them one after the other would time out."""
    results = Results(workers=2)
    both = threading.Barrier(2, timeout=5)

    def compute(name):
        both.wait()
        return name

    results.start("a", lambda: compute("a"))
    results.start("b", lambda: compute("b"))
    assert results.get("a", lambda: "again") == "a" and results.get("b", lambda: "again") == "b"


def test_a_failure_is_told_and_not_kept():
    results = Results()

    def fail():
        raise ValueError("the analysis failed")

    with pytest.raises(ValueError, match="failed"):
        results.get("k", fail)
    assert results.get("k", lambda: 42) == 42


def test_the_oldest_results_go_first_beyond_the_bound():
    results = Results(max_entries=2)
    for key in ("a", "b"):
        results.get(key, lambda k=key: k)
    results.get("a", lambda: "unused")  # asked again: now the newest
    results.get("c", lambda: "c")
    assert results.get("a", lambda: "recomputed") == "a"
    assert results.get("b", lambda: "recomputed") == "recomputed"


def test_an_analysis_computes_its_parts_on_its_own_thread_so_one_worker_cannot_deadlock():
    results = Results(workers=1)
    part_calls = []

    def part():
        part_calls.append(threading.current_thread().name)
        return 10

    def analysis(n):
        return results.here("part", part) + n  # inside the only worker: waiting for a free one would hang

    futures = [results.start(("analysis", n), lambda n=n: analysis(n)) for n in (1, 2)]
    assert [f.result(timeout=5) for f in futures] == [11, 12]
    assert len(part_calls) == 1 and part_calls[0].startswith("analysis")  # once, on the worker that needed it


def test_a_part_that_fails_is_told_and_not_kept():
    results = Results()

    def fail():
        raise ValueError("the part failed")

    with pytest.raises(ValueError, match="part failed"):
        results.here("p", fail)
    assert results.here("p", lambda: 7) == 7
