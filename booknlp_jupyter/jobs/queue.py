"""The pending queue's order: FIFO for one user, round-robin between users.

Pure bookkeeping of job ids (no I/O, no event loop), so it is unit-tested alone.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator

#: Whose line a job waits in: a user name (None on a personal server), or another lane
#: such as a corpus's (`Job.lane`).
Owner = Hashable


class FairQueue:
    """Pending job ids in the order they will run.

    Each owner's jobs run oldest first; between owners, the one served longest ago
    goes first (ties: whose oldest job came first). With one owner — a personal
    server — this is plain FIFO. A job put back with `push_front` (its worker was
    lost) is first in line again.
    """

    def __init__(self) -> None:
        self._ids: list[str] = []  # submission order (requeued jobs at the front)
        self._meta: dict[str, tuple[Owner, int]] = {}  # id -> (owner, seq)
        self._served: dict[Owner, int] = {}  # owner -> tick of their last dispatch
        self._tick = 0
        self._order: list[str] | None = None  # cached dispatch order

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, job_id: object) -> bool:
        return job_id in self._meta

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._ids))

    def push(self, job_id: str, owner: Owner, seq: int) -> None:
        """Add a newly submitted job at the back (``seq``: its submission number)."""
        self._ids.append(job_id)
        self._meta[job_id] = (owner, seq)
        self._order = None

    def push_front(self, job_id: str, owner: Owner, seq: int) -> None:
        """Put a job back at the head of the line, to run next."""
        self._ids.insert(0, job_id)
        self._meta[job_id] = (owner, seq)
        self._served.pop(owner, None)
        self._order = None

    def remove(self, job_id: str) -> bool:
        """Take a job out (cancelled); False when it was not queued."""
        if job_id not in self._meta:
            return False
        self._ids.remove(job_id)
        del self._meta[job_id]
        self._order = None
        return True

    def count(self, owner: Owner) -> int:
        """Pending jobs of ``owner``."""
        return sum(1 for o, _ in self._meta.values() if o == owner)

    def order(self) -> list[str]:
        """Every pending id, in the order they will run."""
        if self._order is None:
            by_owner: dict[Owner, list[str]] = {}
            for job_id in self._ids:
                by_owner.setdefault(self._meta[job_id][0], []).append(job_id)
            served = dict(self._served)
            tick, order = self._tick, []
            while by_owner:
                owner = min(
                    by_owner,
                    key=lambda o: (served.get(o, -1), self._meta[by_owner[o][0]][1]),
                )
                order.append(by_owner[owner].pop(0))
                if not by_owner[owner]:
                    del by_owner[owner]
                served[owner], tick = tick, tick + 1
            self._order = order
        return self._order

    def position(self, job_id: str) -> int | None:
        """1-based place of a pending job, else None."""
        if job_id not in self._meta:
            return None
        return self.order().index(job_id) + 1

    def pop(self) -> str | None:
        """Take the next job to run (None when empty); its owner counts as served."""
        order = self.order()
        if not order:
            return None
        job_id = order[0]
        owner = self._meta[job_id][0]
        self.remove(job_id)
        self._served[owner], self._tick = self._tick, self._tick + 1
        return job_id
