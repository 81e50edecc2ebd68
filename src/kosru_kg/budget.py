"""How long the current request's queries may run, and which connection to watch while they do.

The web tier opens a budget per request; backends read it when a query starts, so a query
deep inside a page is held to the same deadline as one sent to /sparql.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_current: ContextVar["Budget | None"] = ContextVar("kosru_budget", default=None)


@dataclass(frozen=True)
class Budget:
    limit: float  # seconds the request's queries may run, in all
    deadline: float  # time.monotonic() at which that runs out
    client: socket.socket | None = None  # the requesting connection; a hang-up frees its queries

    @classmethod
    def starting_now(cls, limit: float, client: socket.socket | None = None) -> "Budget":
        return cls(limit, time.monotonic() + limit, client)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())

    def client_gone(self) -> bool:
        """True once the client has closed its end (a readable socket with nothing to read)."""
        if self.client is None:
            return False
        try:
            return self.client.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (BlockingIOError, InterruptedError):
            return False
        except OSError:
            return True


def current(default_limit: float) -> Budget:
    """The budget of the request being served, or a fresh one of ``default_limit`` outside requests."""
    return _current.get() or Budget.starting_now(default_limit)


@contextmanager
def scope(budget: Budget) -> Iterator[Budget]:
    token = _current.set(budget)
    try:
        yield budget
    finally:
        _current.reset(token)


def enter(budget: Budget):
    """Open a budget for the rest of this context (for frameworks with separate before/after hooks)."""
    return _current.set(budget)


def leave(token) -> None:
    _current.reset(token)
