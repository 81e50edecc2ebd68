"""Security headers: every response is nosniff; HTML pages get a strict CSP they satisfy."""

from __future__ import annotations

from flask import Flask, Response

# Pages load only their own stylesheet and script; SVG pictures are inline markup, not scripts.
CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)


def register(app: Flask) -> None:
    @app.after_request
    def _security_headers(response: Response) -> Response:
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if response.mimetype == "text/html":
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
            response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        return response
