"""The staff dashboard's login: nothing without the password, a session cookie with it, logout ends it."""

from __future__ import annotations

from typing import Dict, List

import pytest

from insights.dashboard import COOKIE, StaffDashboard

PAGE = "<html>the insights page</html>"


def dashboard(password: str = "correct horse") -> StaffDashboard:
    return StaffDashboard(password=password, page=lambda: PAGE, secure_cookie=False, failed_delay=0)


def headers_of(response) -> Dict[str, str]:  # type: ignore[no-untyped-def]
    return {k: v for k, v in response.headers}


def login(d: StaffDashboard, password: str) -> Dict[str, str]:
    """Logs in; returns the request headers carrying the session cookie."""
    answer = d.handle("POST", "/staff/login", {}, f"password={password}".encode())
    assert answer.status == 303, answer.body
    cookie = headers_of(answer)["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/staff" in cookie
    return {"Cookie": cookie.split(";")[0]}


def test_nothing_is_shown_without_a_password_set() -> None:
    off = StaffDashboard(password="", page=lambda: PAGE)
    for method, path in [("GET", "/staff"), ("POST", "/staff/login")]:
        answer = off.handle(method, path, {}, b"password=")
        assert answer.status == 503 and PAGE.encode() not in answer.body
        assert b"STAFF_PASSWORD" in answer.body


@pytest.mark.parametrize("cookie", [None, f"{COOKIE}=forged", f"{COOKIE}=", "other=1"])
def test_the_page_needs_a_live_session(cookie: str) -> None:
    headers = {"Cookie": cookie} if cookie else {}
    answer = dashboard().handle("GET", "/staff", headers)
    assert answer.status == 200 and b'type="password"' in answer.body and PAGE.encode() not in answer.body


@pytest.mark.parametrize("wrong", ["", "correct", "correct horse ", "CORRECT HORSE", "correct%20horse%20x"])
def test_a_wrong_password_is_refused(wrong: str) -> None:
    answer = dashboard().handle("POST", "/staff/login", {}, f"password={wrong}".encode())
    assert answer.status == 401 and b"not right" in answer.body
    assert "Set-Cookie" not in headers_of(answer)


def test_the_right_password_opens_the_page_until_logout() -> None:
    d = dashboard()
    session = login(d, "correct%20horse")
    page = d.handle("GET", "/staff", session)
    assert page.status == 200 and page.body == PAGE.encode()
    security = headers_of(page)
    assert security["Cache-Control"] == "no-store" and security["X-Frame-Options"] == "DENY"
    assert "default-src 'none'" in security["Content-Security-Policy"]
    out = d.handle("POST", "/staff/logout", session)
    assert out.status == 303 and "Max-Age=0" in headers_of(out)["Set-Cookie"]
    assert PAGE.encode() not in d.handle("GET", "/staff", session).body, "the old cookie no longer works"


def test_sessions_are_separate_and_unknown_paths_are_not_found() -> None:
    d = dashboard()
    one, two = login(d, "correct%20horse"), login(d, "correct%20horse")
    assert one != two
    d.handle("POST", "/staff/logout", one)
    assert d.handle("GET", "/staff", two).body == PAGE.encode()
    assert d.handle("GET", "/staff/../web/index.html", two).status == 404
    assert d.handle("GET", "/staff/export", two).status == 404


def test_the_page_is_computed_at_most_once_a_minute() -> None:
    made: List[int] = []

    def page() -> str:
        made.append(1)
        return PAGE

    d = StaffDashboard(password="pw", page=page, failed_delay=0)
    session = login(d, "pw")
    for _ in range(3):
        d.handle("GET", "/staff", session)
    assert len(made) == 1
