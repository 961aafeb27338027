"""The staff dashboard served beside the widget's page (web/serve.py), in headless Debian Chromium.

A seeded conversation store (tests/insights_seed.py), web/serve.py with
STAFF_PASSWORD set, plain HTTP checks of the login, then one browser run of
tests/web/dashboard_e2e.mjs: refused without the login, a wrong password
refused, the right one shows the plots drawn and the largest groups of
unanswered questions, logout closes it. The screenshot goes to
test-artifacts/dashboard/ (the README's picture is a copy).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator

import pytest
from rasa.shared.core.domain import Domain

from harness.servers import free_port
from tests.insights_seed import CONVERSATIONS, MIGRAINE, seed
from tests.web.test_widget import CHROMIUM, ROOT, WEB, require_browser, wait_for_http

SCRIPT = Path(__file__).with_name("dashboard_e2e.mjs")
ARTIFACTS = ROOT / "test-artifacts" / "dashboard"
PASSWORD = "staff-test-password"

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    workdir = Path(tmp_path_factory.mktemp("dashboard"))
    db = workdir / "tracker.db"
    seed(db, Domain.load(str(ROOT / "domain.yml")), CONVERSATIONS)
    port = free_port()
    env = dict(os.environ, TRIAGE_DB=str(db), STAFF_PASSWORD=PASSWORD)
    env.pop("DB_HOST", None)
    log = open(workdir / "serve.log", "ab")
    server = subprocess.Popen([sys.executable, str(WEB / "serve.py"), "--port", str(port)], cwd=ROOT, env=env,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        origin = f"http://127.0.0.1:{port}"
        wait_for_http(origin + "/staff")
        yield {"origin": origin, "workdir": workdir}
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def fetch(url: str, data: bytes = b"", cookie: str = "") -> tuple:
    request = urllib.request.Request(url, data=data or None, headers={"Cookie": cookie} if cookie else {})
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def test_the_dashboard_refuses_without_the_login(site: Dict[str, Any]) -> None:
    status, headers, body = fetch(site["origin"] + "/staff")
    assert status == 200 and 'type="password"' in body and "img" not in body
    assert fetch(site["origin"] + "/staff", cookie="mfr_staff=guess")[2].count("data:image") == 0
    status, _, body = fetch(site["origin"] + "/staff/login", b"password=wrong")
    assert status == 401 and "not right" in body
    status, headers, _ = fetch(site["origin"] + "/staff/login", f"password={PASSWORD}".encode())
    assert status == 303 and headers["Location"] == "/staff"
    cookie = headers["Set-Cookie"].split(";")[0]
    status, _, page = fetch(site["origin"] + "/staff", cookie=cookie)
    assert status == 200 and page.count('src="data:image/png;base64,') == 5
    assert MIGRAINE[1] in page or MIGRAINE[2] in page or MIGRAINE[3] in page
    assert fetch(site["origin"] + "/index.html")[0] == 200, "the widget's page is still served beside it"


def test_the_dashboard_in_a_real_browser(site: Dict[str, Any]) -> None:
    require_browser()
    env = dict(os.environ, STAFF_URL=site["origin"] + "/staff", PASSWORD=PASSWORD, ARTIFACTS=str(ARTIFACTS),
               CHROMIUM=str(CHROMIUM))
    done = subprocess.run(["node", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    try:
        report = json.loads(done.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"no report from the browser script (exit {done.returncode}):\n{done.stdout[-2000:]}\n"
                    f"{done.stderr[-3000:]}")
    assert "error" not in report, report.get("error")
    steps = report["steps"]
    assert steps["anonymous"]["loginForm"] and not steps["anonymous"]["plots"]
    assert steps["wrong"]["failed"] and not steps["wrong"]["plots"]
    shown = steps["loggedIn"]
    assert not shown["loginForm"]
    assert len(shown["plots"]) == 5
    assert all(p["complete"] and p["width"] > 200 and p["height"] > 100 for p in shown["plots"]), shown["plots"]
    assert [c["count"] for c in shown["clusters"][:3]] == [4, 3, 2], "the three most common unanswered questions"
    assert shown["conversations"] == str(len(CONVERSATIONS) - 1)
    assert steps["loggedOut"]["loginForm"] and steps["afterLogout"]["loginForm"]
    assert not steps["afterLogout"]["plots"]
    assert report["pageErrors"] == []
    assert (ARTIFACTS / "dashboard.png").stat().st_size > 10_000
