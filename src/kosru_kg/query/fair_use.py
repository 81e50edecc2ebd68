"""Fair use of query time, between clients as well as per client.

Per client: as the Wikidata Query Service does (60 s of query time per minute per client), a
client past its budget gets 429 with Retry-After until enough of its last minute's use has aged
out, and a client may run only a few queries at once. Between clients: the query slots go first
to the client that used the least query time in the last minute, and some are kept for light
clients (those whose queries are short), so that many heavy clients at once cannot keep a
newcomer's small query waiting. Every query made for a request (a page's as well as /sparql's)
passes here, charged to the request's client (``enter``). Each server process keeps its own tally.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field

from kosru_kg.errors import Busy, TooManyRequests

WINDOW_SECONDS = 60.0
MOST_CLIENTS = 100_000  # addresses tallied at once; the least recently seen are forgotten first
NEVER = float("-inf")
TURNED_AWAY_SECONDS = 0.1  # what a query turned away for want of a slot costs its client: retrying in a loop is not light

_client: ContextVar[str | None] = ContextVar("kosru_client", default=None)


def enter(client: str):
    """Charge this context's queries to ``client`` (for frameworks with separate before/after hooks)."""
    return _client.set(client)


def leave(token) -> None:
    _client.reset(token)


def current_client() -> str | None:
    """The client the current request's queries are charged to; None for the server's own work."""
    return _client.get()


class _Uses:
    """One client's charges of the last minute, oldest first, and their sum.

    The sum is kept as charges come and go: the fair gate reads it for every waiter each time it
    picks one, and summing a busy client's thousands of charges each time cost most of the web
    process's CPU under load.
    """

    __slots__ = ("charges", "total")

    def __init__(self):
        self.charges: deque[tuple[float, float]] = deque()
        self.total = 0.0

    def expire(self, now: float) -> None:
        while self.charges and self.charges[0][0] <= now - WINDOW_SECONDS:
            self.total -= self.charges.popleft()[1]
        if not self.charges:
            self.total = 0.0  # rounding left by the subtractions goes with the last charge

    def add(self, now: float, seconds: float) -> None:
        self.charges.append((now, seconds))
        self.total += seconds


class QueryTimeQuota:
    """Query seconds used per client over the last minute, within ``seconds`` each."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._used: OrderedDict[str, _Uses] = OrderedDict()

    def spent(self, client: str) -> float:
        """Query seconds ``client`` was charged in the last minute."""
        now = time.monotonic()
        with self._lock:
            uses = self._used.get(client)
            if uses is None:
                return 0.0
            uses.expire(now)
            return max(0.0, uses.total)

    def check(self, client: str) -> None:
        """Raise TooManyRequests if ``client`` has used its budget of the last minute."""
        now = time.monotonic()
        with self._lock:
            uses = self._used.get(client)
            if uses is None:
                return
            uses.expire(now)
            spent = uses.total
            if spent < self.seconds:
                return
            # Wait until enough of the oldest uses have left the window to fall below the budget.
            retry_at, left = now, spent
            for at, seconds in uses.charges:
                left -= seconds
                retry_at = at + WINDOW_SECONDS
                if left < self.seconds:
                    break
        retry_after = max(1, math.ceil(retry_at - now))
        raise TooManyRequests(f"this client has used {spent:.1f} s of query time in the last minute; the limit is "
                              f"{self.seconds:g} s per minute per client. Try again in {retry_after} s",
                              headers={"Retry-After": str(retry_after)})

    def charge(self, client: str, seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            uses = self._used.get(client)
            if uses is None:
                uses = self._used[client] = _Uses()
            self._used.move_to_end(client)
            uses.expire(now)
            uses.add(now, seconds)
            while len(self._used) > MOST_CLIENTS:
                self._used.popitem(last=False)


@dataclass(eq=False)
class _Waiter:
    client: str | None
    arrival: int
    displaced: bool = False


@dataclass
class _Client:
    running: list[float] = field(default_factory=list)  # when each of its running queries started
    waiting: int = 0
    typical: float | None = None  # how long its queries take: a moving average of their times in a slot


class FairGate:
    """At most ``slots`` queries at once, shared between clients.

    - A client runs (or waits for) at most ``per_client`` queries at once; one more is a 429.
    - A free slot goes to the waiting client that used least query time in the last minute
      (queries running now included); the server's own work (no client) goes first.
    - ``reserved`` of the slots are kept for light clients, whose queries take less than
      ``light_seconds`` on average (a new client is light), who take them when the others are taken.
    - At most ``waiting_room`` queries wait (each holds a request thread while it does, so the
      threads beyond slots and room stay free for answers that need no query). When the room is
      full, a newcomer that ranks before the last in line takes its place, and that one gets the
      503 the newcomer would have got; a query that waits ``wait`` seconds gets a 503 too.
    - Each query's time in its slot is charged to its client's ``quota``, less any time the
      server spent on faults of its own (``excuse``); a query turned away costs ``TURNED_AWAY_SECONDS``.
    - A query in a kept slot runs for at most ``light_seconds`` (``Held.kept``): the slots kept for
      light clients stay free for short queries, whoever took them.
    """

    def __init__(self, quota: QueryTimeQuota, slots: int, *, per_client: int, reserved: int, light_seconds: float,
                 waiting_room: int, wait: float):
        self.quota, self.light_seconds = quota, light_seconds
        self._slots, self._per_client = slots, per_client
        reserved = min(reserved, slots - 1)
        self._free = {False: slots - reserved, True: reserved}  # free slots: for anyone; kept for light clients
        self._room, self._wait = waiting_room, wait
        self._lock = threading.Condition()
        self._clients: OrderedDict[str | None, _Client] = OrderedDict()
        self._waiting: list[_Waiter] = []
        self._arrivals = itertools.count()

    @contextmanager
    def slot(self) -> Iterator[Held]:
        """Hold a slot for the current client until the block ends, or, once ``hand_over`` gave it
        to a stream, until that stream ends; its time is then charged."""
        client = current_client()
        if client is not None:
            self.quota.check(client)
        try:
            held = Held(self, client, *self._enter(client))
        except Busy:
            if client is not None:
                self.quota.charge(client, TURNED_AWAY_SECONDS)
            raise
        try:
            yield held
        finally:
            if not held.handed_over:
                held.release()

    def _enter(self, client: str | None) -> tuple[float, bool]:
        """Wait for a slot as the rules above say; when the query started, and whether its slot is a kept one."""
        with self._lock:
            known = self._known(client)
            if client is not None and len(known.running) + known.waiting >= self._per_client:
                raise TooManyRequests(f"this client already has {len(known.running) + known.waiting} queries running "
                                      f"or waiting; the limit is {self._per_client} at once per client",
                                      headers={"Retry-After": "1"})
            waiter = _Waiter(client, next(self._arrivals))
            self._waiting.append(waiter)
            known.waiting += 1
            self._lock.notify_all()  # for ``until_waiting``
            try:
                deadline = time.monotonic() + self._wait
                while self._next() is not waiter:
                    if waiter.displaced:
                        raise self._busy()
                    if len(self._waiting) > self._room + self._runnable_now():
                        self._make_room(waiter)
                        continue
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise self._busy()
                    self._lock.wait(remaining)
            finally:
                known.waiting -= 1
                if waiter in self._waiting:
                    self._waiting.remove(waiter)
            kept = self._free[False] == 0
            self._free[kept] -= 1
            started = time.monotonic()
            known.running.append(started)
            self._lock.notify_all()  # the next in line may be able to run too
            return started, kept

    def leave(self, client: str | None, started: float, kept: bool, excused: float) -> None:
        ended = time.monotonic()
        with self._lock:
            known = self._known(client)
            known.running.remove(started)
            took = max(0.0, ended - started - excused)
            known.typical = took if known.typical is None else (known.typical + took) / 2
            self._free[kept] += 1
            self._lock.notify_all()
        if client is not None:
            self.quota.charge(client, took)

    def until_waiting(self, count: int, timeout: float) -> bool:
        """Block until ``count`` queries wait for a slot (for observers: tests, monitoring); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: len(self._waiting) >= count, timeout)

    def _known(self, client: str | None) -> _Client:
        known = self._clients.get(client)
        if known is None:
            known = self._clients[client] = _Client()
            while len(self._clients) > MOST_CLIENTS:
                oldest, record = next(iter(self._clients.items()))
                if record.running or record.waiting:
                    break
                del self._clients[oldest]
        self._clients.move_to_end(client)
        return known

    def _rank(self, waiter: _Waiter, now: float) -> tuple:
        if waiter.client is None:
            return (NEVER, waiter.arrival)
        running = sum(now - started for started in self._clients[waiter.client].running)
        return (self.quota.spent(waiter.client) + running, waiter.arrival)

    def _light(self, client: str | None) -> bool:
        if client is None:
            return True
        typical = self._clients[client].typical
        return typical is None or typical < self.light_seconds

    def _next(self) -> _Waiter | None:
        """The waiter that takes the next free slot now, if a slot is free to it."""
        if not self._free[False] and not self._free[True]:
            return None
        now = time.monotonic()
        for waiter in sorted(self._waiting, key=lambda w: self._rank(w, now)):
            if self._free[False] or self._light(waiter.client):
                return waiter
        return None

    def _runnable_now(self) -> int:
        return 1 if self._next() is not None else 0

    def _make_room(self, newcomer: _Waiter) -> None:
        """The waiting room overflows: the last in line leaves it (a 503), the newcomer if it is last."""
        now = time.monotonic()
        last = max(self._waiting, key=lambda w: self._rank(w, now))
        if last is newcomer:
            raise self._busy()
        last.displaced = True
        self._waiting.remove(last)
        self._lock.notify_all()

    def _busy(self) -> Busy:
        return Busy(self._slots, retry_after=max(1, round(self._wait)))


class Held:
    """A slot held for ``client`` since ``started``; ``kept``: one of those kept for light clients."""

    def __init__(self, gate: FairGate, client: str | None, started: float, kept: bool):
        self.gate, self.client, self.started, self.kept = gate, client, started, kept
        self.handed_over, self.excused = False, 0.0

    def excuse(self, seconds: float) -> None:
        """Leave ``seconds`` the server spent on a fault of its own (a worker replaced) out of the charge."""
        self.excused += seconds

    def hand_over(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        """Keep the slot until ``chunks`` ends (or is closed)."""
        self.handed_over = True
        return self._releasing(chunks)

    def _releasing(self, chunks: Iterator[bytes]) -> Iterator[bytes]:
        try:
            yield from chunks
        finally:
            self.release()

    def release(self) -> None:
        self.gate.leave(self.client, self.started, self.kept, self.excused)


def client_address(remote_addr: str, forwarded_for: str | None, trusted: tuple) -> str:
    """The requesting client: the connection's address, or, when that is a trusted proxy, the
    last address in X-Forwarded-For that is not a trusted proxy (the one the proxies saw)."""
    if not trusted or not forwarded_for or not is_trusted(remote_addr, trusted):
        return remote_addr
    for hop in reversed([part.strip() for part in forwarded_for.split(",")]):
        if not is_trusted(hop, trusted):
            return hop
    return remote_addr


def is_trusted(address: str, trusted: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)
