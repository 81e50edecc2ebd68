"""How long the current request's queries may run, and which of their time was the server's fault.

The web tier opens a budget per request; backends read it when a query starts, so a query
deep inside a page is held to the same deadline as one sent to /sparql. Whoever charges a
client for query time opens ``excusing``, and the engine tells it of the time it lost to faults
of its own, which the client must not pay for.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

_current: ContextVar[Budget | None] = ContextVar("kosru_budget", default=None)
_excuse: ContextVar[Callable[[float], None] | None] = ContextVar("kosru_excuse", default=None)


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


@contextmanager
def excusing(excuse: Callable[[float], None]) -> Iterator[None]:
    """Tell ``excuse(seconds)`` of the time that queries started in this block lose to the server's own faults.

    For the embedded engine (``kosru_kg.query.workers``), that is the time before a worker has
    taken the job (stopping idle workers of an old version, an idle worker that missed its check,
    starting a new one), and all of a query's time if its worker then died of something other than
    the query. A streamed answer's loss is reported while it streams, after the block has ended,
    before its chunks raise.
    """
    token = _excuse.set(excuse)
    try:
        yield
    finally:
        _excuse.reset(token)


def current_excuse() -> Callable[[float], None]:
    """Where the time lost by a query starting now goes: the innermost ``excusing`` block's, else nowhere."""
    return _excuse.get() or _unexcused


def _unexcused(seconds: float) -> None:
    """Outside ``excusing``, nobody asked to be told."""
