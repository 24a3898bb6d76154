"""The pending queue's order alone: no server, no loop."""

from __future__ import annotations

from booknlp_jupyter.jobs.queue import FairQueue


def _queue(*jobs: tuple[str, str | None]) -> FairQueue:
    queue = FairQueue()
    for seq, (job_id, owner) in enumerate(jobs, 1):
        queue.push(job_id, owner, seq)
    return queue


def test_one_owner_is_plain_fifo():
    queue = _queue(("a", None), ("b", None), ("c", None))
    assert queue.order() == ["a", "b", "c"]
    assert [queue.position(j) for j in "abc"] == [1, 2, 3]
    assert queue.pop() == "a" and queue.order() == ["b", "c"]
    assert queue.position("a") is None and len(queue) == 2


def test_owners_take_turns_and_the_one_served_longest_ago_goes_first():
    queue = _queue(("a1", "ann"), ("a2", "ann"), ("a3", "ann"), ("b1", "bob"), ("c1", "cy"))
    assert queue.order() == ["a1", "b1", "c1", "a2", "a3"]
    assert queue.pop() == "a1"
    # ann was just served: bob and cy go before her next job
    assert queue.order() == ["b1", "c1", "a2", "a3"]
    queue.push("b2", "bob", 6)
    assert queue.pop() == "b1"
    assert queue.order() == ["c1", "a2", "b2", "a3"]
    assert queue.count("ann") == 2 and queue.count("bob") == 1 and queue.count("dan") == 0


def test_remove_and_push_front():
    queue = _queue(("a", None), ("b", None), ("c", None))
    assert queue.remove("b") and not queue.remove("b")
    assert queue.order() == ["a", "c"] and "b" not in queue
    job = queue.pop()
    queue.push_front(job, None, 1)  # its worker was lost: first in line again
    assert queue.order() == ["a", "c"] and queue.position("a") == 1


def test_push_front_puts_the_owner_first_again():
    queue = _queue(("a1", "ann"), ("b1", "bob"))
    assert queue.pop() == "a1"
    queue.push_front("a1", "ann", 1)
    assert queue.order() == ["a1", "b1"]


def test_an_empty_queue():
    queue = FairQueue()
    assert queue.pop() is None and queue.order() == [] and len(queue) == 0
    assert list(queue) == []
