"""Values computed once per served version, for everyone: the graph of a version never changes."""

from __future__ import annotations

from collections.abc import Callable

from kosru_kg.query import budget
from kosru_kg.version_cache import VersionCache
from kosru_kg.web.state import state

# A value computed once for everyone (a dump, a picture, the home page's counts) is not one
# client's query: it gets this long, whatever the per-query limit, and no client's hang-up stops it.
SHARED_WORK_SECONDS = 300.0


def cached(key: tuple, compute: Callable, in_cache: Callable[[], VersionCache] = lambda: state().values):
    """``compute()`` for the served version, computed once, on the first request that needs it."""

    def shared_work():
        with budget.scope(budget.Budget.starting_now(SHARED_WORK_SECONDS)):
            return compute()

    return in_cache().get_or_compute(state().backend.version, key, shared_work)
