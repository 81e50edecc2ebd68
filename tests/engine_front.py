"""A real HTTP server in front of a real ``oxigraph serve``, behaving as other engines do where they differ.

Every request is passed on to Oxigraph unless the front is told to act otherwise: ask for
credentials (Basic or Digest, checked as RFC 7617 and RFC 7616 say), answer 201 to a PUT and
drop its body (as Virtuoso does with a chunked one), mark or cut answers as an engine's row cap
does, or refuse a query declaring BASE twice (as Virtuoso does). It refuses a chunked body
(411), and records what it was sent, so tests can check what kosru-kg sends.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.error import HTTPError
from urllib.parse import parse_qs
from urllib.request import Request, parse_http_list, parse_keqv_list, urlopen

REALM, NONCE = "kosru-test", "d41d8cd98f00b204e9800998ecf8427e"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Behaviour:
    scheme: str | None = None  # "basic" or "digest": credentials are required
    user: str = ""
    password: str = ""
    drop_puts: bool = False
    row_cap: Callable[[str], int | None] = lambda query: None  # X-SPARQL-MaxRows to add to this query's answer
    cut_lines: Callable[[str], int | None] = lambda query: None  # lines to cut this query's answer to, silently
    one_base: bool = False
    seen: list[Seen] = field(default_factory=list)


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - Digest's own hash


class EngineFront:
    def __init__(self, oxigraph_url: str, behaviour: Behaviour):
        self.behaviour = behaviour
        handler = type("Handler", (_Handler,), {"behaviour": behaviour, "target": oxigraph_url.rstrip("/")})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        self.query, self.store = self.url + "query", self.url + "store"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


class _Handler(BaseHTTPRequestHandler):
    behaviour: Behaviour
    target: str

    def log_message(self, *args) -> None:
        """Quiet: what matters is recorded in ``behaviour.seen``."""

    def do_GET(self) -> None:
        self._handle()

    do_POST = do_PUT = do_DELETE = do_HEAD = do_GET

    def _handle(self) -> None:
        chunked = "chunked" in self.headers.get("Transfer-Encoding", "").lower()
        body = b"" if chunked else self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.behaviour.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
        if chunked:
            self.close_connection = True
            return self._reply(411, b"a body needs a Content-Length here\n")
        if not self._authorised():
            return None
        if self.command == "PUT" and self.behaviour.drop_puts:
            return self._reply(201, b"")
        query = parse_qs(body.decode()).get("query", [""])[0] if self.command == "POST" else ""
        if self.behaviour.one_base and len(re.findall(r"^\s*BASE\s*<", query, re.IGNORECASE | re.MULTILINE)) > 1:
            return self._reply(400, b"BASE is declared more than once\n")
        status, content_type, answer = self._forward(body)
        extra = {}
        if status == 200 and (cap := self.behaviour.row_cap(query)) is not None:
            extra["X-SPARQL-MaxRows"] = str(cap)
        if status == 200 and (lines := self.behaviour.cut_lines(query)) is not None:
            answer = b"".join(answer.splitlines(keepends=True)[:lines])
        return self._reply(status, answer, content_type, extra)

    def _authorised(self) -> bool:
        behaviour = self.behaviour
        if behaviour.scheme is None:
            return True
        scheme, _, given = self.headers.get("Authorization", "").partition(" ")
        basic = base64.b64encode(f"{behaviour.user}:{behaviour.password}".encode()).decode()
        if scheme.lower() == behaviour.scheme == "basic" and given == basic:
            return True
        if scheme.lower() == behaviour.scheme == "digest":
            said = parse_keqv_list(filter(None, parse_http_list(given)))
            first = _md5(f"{behaviour.user}:{REALM}:{behaviour.password}")
            second = _md5(f"{self.command}:{said.get('uri')}")
            expected = _md5(f"{first}:{NONCE}:{said.get('nc')}:{said.get('cnonce')}:auth:{second}")
            if said.get("uri") == self.path and said.get("nonce") == NONCE and said.get("response") == expected:
                return True
        challenge = (f'Basic realm="{REALM}"' if behaviour.scheme == "basic"
                     else f'Digest realm="{REALM}", nonce="{NONCE}", qop="auth", algorithm=MD5')
        self._reply(401, b"credentials needed\n", extra={"WWW-Authenticate": challenge})
        return False

    def _forward(self, body: bytes) -> tuple[int, str, bytes]:
        headers = {name: self.headers[name] for name in ("Content-Type", "Accept") if self.headers[name]}
        request = Request(self.target + self.path, data=body if body else None, headers=headers, method=self.command)
        try:
            with urlopen(request, timeout=60) as response:
                return response.status, response.headers.get("Content-Type", ""), response.read()
        except HTTPError as error:
            return error.code, error.headers.get("Content-Type", "text/plain"), error.read()

    def _reply(self, status: int, body: bytes, content_type: str = "text/plain",
               extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (extra or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
