"""The HTTP link to one remote SPARQL engine's address: pooled connections, and the credentials it may ask for.

An engine that wants credentials (Virtuoso's ``/sparql-auth`` and ``/sparql-graph-crud-auth``,
a proxy in front of any engine) gets them from ``KOSRU_BACKEND_USER`` and
``KOSRU_BACKEND_PASSWORD``, at the query endpoint and the Graph Store alike. They are sent only
once the engine has asked, with a 401 naming Basic or Digest (Digest preferred when it offers
both), and from then on with every request to it. They are never logged nor put in a message:
only the address is named, and the address never carries them. Digest is computed by the
standard library's own handler (``urllib.request.AbstractDigestAuthHandler``).
"""

from __future__ import annotations

import os
import threading
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO

import urllib3

USER_VARIABLE = "KOSRU_BACKEND_USER"
PASSWORD_VARIABLE = "KOSRU_BACKEND_PASSWORD"  # noqa: S105 - the variable's name, not a password


@dataclass(frozen=True)
class Credentials:
    user: str
    password: str

    def __repr__(self) -> str:  # whatever prints this (a traceback's locals, a debugger) shows no password
        return f"Credentials(user={self.user!r}, password=<hidden>)"

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] = os.environ) -> Credentials | None:
        """The credentials the environment gives, or None if it names no user."""
        user = environ.get(USER_VARIABLE, "")
        return cls(user, environ.get(PASSWORD_VARIABLE, "")) if user else None


class Authorizer:
    """The Authorization header for a request to one engine, once the engine has said which scheme it takes."""

    def __init__(self, origin: str, credentials: Credentials):
        self._credentials = credentials
        self._lock = threading.Lock()
        self._basic: str | None = None
        self._challenge: dict[str, str] | None = None  # the engine's last Digest challenge
        passwords = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        passwords.add_password(None, origin, credentials.user, credentials.password)
        self._digest = urllib.request.AbstractDigestAuthHandler(passwords)  # its computation, without its opener

    def header(self, method: str, url: str) -> dict[str, str]:
        """What to send with ``method url``: nothing until the engine has asked for credentials."""
        with self._lock:
            if self._challenge is not None:
                value = self._digest.get_authorization(urllib.request.Request(url, method=method), self._challenge)
                return {"Authorization": f"Digest {value}"} if value else {}
            if self._basic is not None:
                return {"Authorization": self._basic}
            return {}

    def answer(self, challenges: list[str]) -> bool:
        """Take the schemes a 401 offered (its WWW-Authenticate values); whether one of them can be answered."""
        offered = {}
        for challenge in challenges:
            scheme, _, parameters = challenge.strip().partition(" ")
            offered.setdefault(scheme.lower(), parameters)
        with self._lock:
            if "digest" in offered:
                parsed = urllib.request.parse_keqv_list(filter(None, urllib.request.parse_http_list(offered["digest"])))
                if "realm" in parsed and "nonce" in parsed and self._digests(parsed.get("algorithm", "MD5")):
                    self._challenge = parsed
                    return True
            if "basic" in offered:
                self._challenge = None
                self._basic = urllib3.util.make_headers(
                    basic_auth=f"{self._credentials.user}:{self._credentials.password}")["authorization"]
                return True
            return False


    def _digests(self, algorithm: str) -> bool:
        """Whether the standard library computes Digest with ``algorithm`` (MD5 and SHA-1 in Python 3.11)."""
        try:
            self._digest.get_algorithm_impls(algorithm)
        except ValueError:
            return False
        return True


class EngineLink:
    """Connections to the host of ``url`` (and to no other: redirects are never followed), with its credentials."""

    def __init__(self, url: str, size: int, credentials: Credentials | None = None):
        self.url = url
        self.pool = urllib3.connection_from_url(url, maxsize=size, block=False, retries=False)
        self._origin = urllib3.util.parse_url(url)._replace(path=None, query=None, fragment=None).url
        self._authorizer = Authorizer(self._origin + "/", credentials) if credentials else None

    def send(self, method: str, target: str, *, headers: dict[str, str], timeout: urllib3.Timeout,
             body: str | bytes | IO[bytes] | None = None, preload_content: bool = True) -> urllib3.BaseHTTPResponse:
        """One request for ``target`` (a path and query string on this host), never chunked.

        A file body must be given with its Content-Length: it is sent from its start, again
        if the engine asks for credentials first (a 401 answered once, then as it is)."""
        response = self._once(method, target, headers, timeout, body, preload_content)
        if response.status == 401 and self._authorizer is not None \
                and self._authorizer.answer(response.headers.getlist("WWW-Authenticate")):
            response.drain_conn()
            response.release_conn()
            response = self._once(method, target, headers, timeout, body, preload_content)
        return response

    def _once(self, method: str, target: str, headers: dict[str, str], timeout: urllib3.Timeout,
              body: str | bytes | IO[bytes] | None, preload_content: bool) -> urllib3.BaseHTTPResponse:
        sent = dict(headers)
        if self._authorizer is not None:
            sent.update(self._authorizer.header(method, self._origin + target))
        if hasattr(body, "seek"):
            body.seek(0)
        return self.pool.urlopen(method, target, body=body, headers=sent, timeout=timeout, chunked=False,
                                 preload_content=preload_content, redirect=False, retries=False)

    def close(self) -> None:
        self.pool.close()
