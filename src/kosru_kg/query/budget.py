"""How long the current request's queries may run.

The web tier opens a budget per request; backends read it when a query starts, so a query
deep inside a page is held to the same deadline as one sent to /sparql.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_current: ContextVar[Budget | None] = ContextVar("kosru_budget", default=None)


@dataclass(frozen=True)
class Budget:
    limit: float  # seconds the request's queries may run, in all
    deadline: float  # time.monotonic() at which that runs out

    @classmethod
    def starting_now(cls, limit: float) -> Budget:
        return cls(limit, time.monotonic() + limit)

    def at_most(self, seconds: float) -> Budget:
        """This budget, ending no later than ``seconds`` from now."""
        if self.remaining() <= seconds:
            return self
        return Budget.starting_now(seconds)

    def remaining(self) -> float:
        return max(0.0, self.deadline - time.monotonic())


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
