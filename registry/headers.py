"""Security headers on every response."""
from __future__ import annotations

# No inline scripts or styles anywhere: every script and stylesheet is a file served by the app.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def init_app(app) -> None:
    @app.after_request
    def add_security_headers(response):
        # what a view set itself stays; the names it set are read once (werkzeug's
        # ``setdefault`` and ``in`` each raise and catch a KeyError for a missing name)
        present = {name.lower() for name in response.headers.keys()}
        for name, value in HEADERS.items():
            if name.lower() not in present:
                response.headers.add(name, value)
        if response.mimetype == "text/html" and "cache-control" not in present:
            # Pages carry personal data: never keep them in shared caches.
            response.headers.add("Cache-Control", "no-store")
        return response
