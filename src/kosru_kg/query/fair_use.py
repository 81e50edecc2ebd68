"""Fair use of query time: each client address may use so many seconds of it per minute.

As the Wikidata Query Service does (60 s of query time per minute per client), a client past
its budget gets 429 with Retry-After until enough of its last minute's use has aged out,
while other clients are served as before. Each server process keeps its own tally.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict, deque

from kosru_kg.errors import TooManyRequests

WINDOW_SECONDS = 60.0
MOST_CLIENTS = 100_000  # addresses tallied at once; the least recently seen are forgotten first


class QueryTimeQuota:
    """Query seconds used per client over the last minute, within ``seconds`` each."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._lock = threading.Lock()
        self._used: OrderedDict[str, deque[tuple[float, float]]] = OrderedDict()

    def check(self, client: str) -> None:
        """Raise TooManyRequests if ``client`` has used its budget of the last minute."""
        now = time.monotonic()
        with self._lock:
            uses = self._used.get(client)
            if not uses:
                return
            _expire(uses, now)
            spent = sum(seconds for _, seconds in uses)
            if spent < self.seconds:
                return
            # Wait until enough of the oldest uses have left the window to fall below the budget.
            retry_at, left = now, spent
            for at, seconds in uses:
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
            uses = self._used.setdefault(client, deque())
            self._used.move_to_end(client)
            _expire(uses, now)
            uses.append((now, seconds))
            while len(self._used) > MOST_CLIENTS:
                self._used.popitem(last=False)


def _expire(uses: deque, now: float) -> None:
    while uses and uses[0][0] <= now - WINDOW_SECONDS:
        uses.popleft()


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
