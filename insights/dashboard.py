"""The staff dashboard: the insights page behind a password, served beside the chat widget's page.

web/serve.py hands every request under `/staff` to `StaffDashboard.handle`.
The password comes from the environment (`STAFF_PASSWORD`); without it the
dashboard is off and shows nothing. A right password gets a random session
cookie (HttpOnly, SameSite=Strict, path /staff, ended by 8 idle hours or logout; `Secure` when
`STAFF_COOKIE_SECURE` is set, for a site served over HTTPS); a wrong one waits
a second before the answer, to slow guessing. The page itself is
`insights.report`'s, recomputed at most once a minute.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Optional, Tuple
from urllib.parse import parse_qs

import jinja2

from channels.bounded_map import BoundedMap
from insights.report import TEMPLATES, build, render

COOKIE = "mfr_staff"
SESSION_SECONDS = 8 * 3600
MAX_SESSIONS = 100
PAGE_CACHE_SECONDS = 60.0
FAILED_LOGIN_DELAY = 1.0
MAX_FORM_BYTES = 4096
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; img-src data:; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'",
}


@dataclass
class Response:
    """What the web server sends back."""

    status: int
    body: bytes = b""
    headers: List[Tuple[str, str]] = field(default_factory=list)


def _cookie(headers: Mapping[str, str]) -> Optional[str]:
    for part in (headers.get("Cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name == COOKIE and value:
            return value
    return None


class StaffDashboard:
    """Login, logout and the page, with sessions kept in this process."""

    def __init__(self, password: Optional[str] = None, page: Optional[Callable[[], str]] = None,
                 secure_cookie: Optional[bool] = None, failed_delay: float = FAILED_LOGIN_DELAY) -> None:
        self.password = password if password is not None else (os.environ.get("STAFF_PASSWORD") or "")
        self.secure_cookie = secure_cookie if secure_cookie is not None else bool(os.environ.get("STAFF_COOKIE_SECURE"))
        self.failed_delay = failed_delay
        self.sessions: BoundedMap[float] = BoundedMap(MAX_SESSIONS, SESSION_SECONDS)
        self._page = page or (lambda: render(build(), logout=True))
        self._cached: Tuple[float, str] = (0.0, "")
        self._lock = threading.Lock()
        self._templates = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                             autoescape=jinja2.select_autoescape(["html"]))

    @property
    def on(self) -> bool:
        """False without a password: nothing is shown."""
        return bool(self.password)

    def _html(self, status: int, html: str, extra: Optional[List[Tuple[str, str]]] = None) -> Response:
        headers = [("Content-Type", "text/html; charset=utf-8"), *SECURITY_HEADERS.items(), *(extra or [])]
        return Response(status, html.encode("utf-8"), headers)

    def _login_page(self, status: int, failed: bool = False) -> Response:
        return self._html(status, self._templates.get_template("login.html").render(off=not self.on, failed=failed))

    def _redirect(self, cookie: Optional[str] = None) -> Response:
        headers = [("Location", "/staff"), *SECURITY_HEADERS.items()]
        if cookie is not None:
            headers.append(("Set-Cookie", cookie))
        return Response(303, b"", headers)

    def logged_in(self, headers: Mapping[str, str]) -> bool:
        """True for a live session cookie."""
        token = _cookie(headers)
        return self.on and token is not None and self.sessions.get(token) is not None

    def page(self) -> str:
        """The insights page, recomputed at most once a minute."""
        with self._lock:
            made, html = self._cached
            if not html or time.monotonic() - made > PAGE_CACHE_SECONDS:
                html = self._page()
                self._cached = (time.monotonic(), html)
            return html

    def handle(self, method: str, path: str, headers: Mapping[str, str], body: bytes = b"") -> Response:
        """One request under /staff."""
        path = path.split("?", 1)[0].rstrip("/") or "/staff"
        if not self.on:
            return self._login_page(503)
        if method == "GET" and path == "/staff":
            if self.logged_in(headers):
                return self._html(200, self.page())
            return self._login_page(200)
        if method == "POST" and path == "/staff/login":
            given = parse_qs(body[:MAX_FORM_BYTES].decode("utf-8", "replace")).get("password", [""])[0]
            if not hmac.compare_digest(given.encode("utf-8"), self.password.encode("utf-8")):
                time.sleep(self.failed_delay)
                return self._login_page(401, failed=True)
            token = secrets.token_urlsafe(32)
            self.sessions.put(token, time.time())
            cookie = f"{COOKIE}={token}; Path=/staff; HttpOnly; SameSite=Strict; Max-Age={SESSION_SECONDS}"
            return self._redirect(cookie + ("; Secure" if self.secure_cookie else ""))
        if method == "POST" and path == "/staff/logout":
            ended = _cookie(headers)
            if ended:
                self.sessions.pop(ended)
            return self._redirect(f"{COOKIE}=; Path=/staff; HttpOnly; SameSite=Strict; Max-Age=0")
        return Response(404, b"not found", [("Content-Type", "text/plain"), *SECURITY_HEADERS.items()])

