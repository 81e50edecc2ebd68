"""One structured (JSON) log line per request, written when its last byte has gone or it failed.

It wraps the WSGI app rather than hooking Flask, because a streamed answer is still being
sent (and may still fail) after Flask's handlers have returned.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator

log = logging.getLogger("kosru_kg.access")

OUTCOME = "kosru.outcome"  # environ key: why a request failed, set where the error is handled
QUERY = "kosru.query"  # environ key: the SPARQL text a request asked


class AccessLog:
    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response) -> Iterable[bytes]:
        if not log.isEnabledFor(logging.INFO):
            return self.app(environ, start_response)
        started = time.monotonic()
        status = []

        def recording_start_response(line, headers, exc_info=None):
            status[:] = [int(line.split(" ", 1)[0])]
            return start_response(line, headers, exc_info)

        body = self.app(environ, recording_start_response)
        return self._logged(body, environ, status, started)

    def _logged(self, body: Iterable[bytes], environ: dict, status: list, started: float) -> Iterator[bytes]:
        sent, outcome = 0, None
        try:
            for chunk in body:
                sent += len(chunk)
                yield chunk
        except GeneratorExit:
            outcome = "client-gone"
            raise
        except Exception as exc:
            outcome = f"aborted: {type(exc).__name__}"
            raise
        finally:
            if hasattr(body, "close"):
                body.close()
            status_code = status[0] if status else 500
            log.info(json.dumps(_record(environ, status_code, sent, started, outcome), ensure_ascii=False))


def _record(environ: dict, status: int, sent: int, started: float, outcome: str | None) -> dict:
    record = {
        "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "client": environ.get("REMOTE_ADDR"),
        "method": environ.get("REQUEST_METHOD"),
        "path": environ.get("PATH_INFO"),
        "status": status,
        "bytes": sent,
        "ms": round((time.monotonic() - started) * 1000, 1),
        "outcome": outcome or environ.get(OUTCOME) or ("ok" if status < 400 else "refused"),
    }
    query = environ.get(QUERY)
    if query is not None:  # its hash groups repeats; its head says what it was, without filling the log
        record["query_sha1"] = hashlib.sha1(query.encode("utf-8")).hexdigest()[:12]
        record["query"] = query[:200]
    return record
