"""The website chat widget (web/) in headless Debian Chromium, against live servers.

One run of tests/web/widget_e2e.mjs (playwright-core, /usr/bin/chromium) per
session: it opens the demo page served by web/serve.py, talks to a Rasa server
started here (ALLOWED_ORIGINS = the page's origin) through a TCP proxy it can
cut, and prints a JSON report; the tests below assert on it. Screenshots go
to test-artifacts/web/.

Without /usr/bin/chromium, node or web/node_modules the browser tests are
skipped, unless CI is set: then they fail, so CI cannot skip them silently.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]

from harness.servers import Servers, free_port, free_ports  # noqa: E402
from harness.client import Client  # noqa: E402

WEB = ROOT / "web"
SCRIPT = Path(__file__).with_name("widget_e2e.mjs")
ARTIFACTS = ROOT / "test-artifacts" / "web"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
EMERGENCY_NUMBER = "999"
HOSTILE = "<img src=x onerror=alert(1)>"
HOSTILE_2 = '<script>alert("s")</script><b id="injected">bold</b><svg onload=alert(2)>'


def in_ci() -> bool:
    """CI is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing_prerequisites() -> List[str]:
    """What the browser test needs and this machine lacks."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"{CHROMIUM} (apt-get install -y chromium)")
    node = shutil.which("node")
    if not node:
        missing.append("node >= 20")
    else:
        version = subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip()
        if int(re.sub(r"^v(\d+).*", r"\1", version or "v0") or 0) < 20:
            missing.append(f"node >= 20 (found {version}; playwright-core needs 20)")
    if not (WEB / "node_modules" / "playwright-core").is_dir() or not (WEB / "vendor" / "socket.io.min.js").exists():
        missing.append("web/node_modules and web/vendor (run `npm ci` in web/)")
    return missing


def require_browser() -> None:
    missing = missing_prerequisites()
    if not missing:
        return
    reason = "browser test needs " + ", ".join(missing)
    if in_ci():
        pytest.fail(f"{reason}; CI is set, so this is a failure, not a skip")
    pytest.skip(reason)


def wait_for_http(url: str, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer")


@pytest.fixture(scope="module")
def web_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Dict[str, Any]]:
    """Servers, the page and one browser run; yields the report and the servers."""
    require_browser()
    workdir = Path(tmp_path_factory.mktemp("web"))
    servers = Servers(workdir=workdir, env={"EMERGENCY_NUMBER": EMERGENCY_NUMBER})
    web_port, proxy_port = free_ports(2)  # distinct from each other and from the servers' ports
    origin = f"http://127.0.0.1:{web_port}"
    # The page's origin in --cors and in the socket.io allow-list, as `make run` does (CORS_ORIGINS).
    servers.env["ALLOWED_ORIGINS"] = origin
    servers.cors = [origin]
    page_log = open(workdir / "serve.log", "ab")
    page_server = subprocess.Popen(
        [sys.executable, str(WEB / "serve.py"), "--port", str(web_port), "--server-url", f"http://127.0.0.1:{proxy_port}"],
        cwd=ROOT, stdout=page_log, stderr=subprocess.STDOUT,
    )
    try:
        servers.start_actions()
        servers.start_rasa()
        servers.wait_until_ready()
        wait_for_http(origin + "/")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        for old in [*ARTIFACTS.glob("*.png"), *ARTIFACTS.glob("report.json")]:
            old.unlink()
        env = dict(os.environ, PAGE_URL=origin + "/", RASA_PORT=str(servers.rasa_port), PROXY_PORT=str(proxy_port),
                   ARTIFACTS=str(ARTIFACTS), CHROMIUM=str(CHROMIUM))
        started = time.monotonic()
        done = subprocess.run(["node", str(SCRIPT)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=420)
        (workdir / "node.stderr").write_text(done.stderr)
        try:
            report = json.loads(done.stdout)
        except json.JSONDecodeError:
            pytest.fail(f"no report from the browser script (exit {done.returncode}):\n{done.stdout[-2000:]}\n"
                        f"{done.stderr[-3000:]}")
        report["wall_seconds"] = time.monotonic() - started
        (ARTIFACTS / "report.json").write_text(json.dumps(report, indent=2))
        yield {"report": report, "servers": servers, "workdir": workdir, "origin": origin}
    finally:
        page_server.terminate()
        try:
            page_server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            page_server.kill()
        page_log.close()
        servers.stop()


def scenario(web_run: Dict[str, Any], name: str) -> Dict[str, Any]:
    report = web_run["report"]
    assert "fatal" not in report, report["fatal"]
    result = report["scenarios"][name]
    checks = json.dumps(result["checks"])[:3000]
    assert result["ok"], f"scenario {name} failed: {result['error']}\nchecks so far: {checks}"
    return dict(result["checks"])


def texts(items: List[Dict[str, Any]], kind: str) -> List[str]:
    return [i["text"] for i in items if i["kind"] == kind]


# ------------------------------------------------------------------ browser tests


@pytest.mark.integration
def test_the_disclaimer_shows_on_open_without_a_visible_user_message(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    items = checks["openItems"]
    assert texts(items, "user") == []  # the "/greet" trigger is not shown
    bots = texts(items, "bot")
    assert "can't diagnose" in bots[0]
    assert f"call {EMERGENCY_NUMBER}" in bots[0]
    assert "What would you like to know" in bots[-1]
    assert checks["launcherExpanded"] == "true"
    assert (checks["logRole"], checks["logLive"]) == ("log", "polite")
    assert checks["inputLabelled"] and checks["sendLabelled"]
    assert checks["transport"] == "websocket"


@pytest.mark.integration
def test_a_grounded_answer_shows_its_source_line_and_follow_up_buttons(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    assert checks["typingShown"], "no typing indicator while waiting"
    items = checks["answerItems"]
    assert texts(items, "user")[-1] == "what are the risks of myofascial release?"
    answer = [i for i in items if i["kind"] == "bot"][-1]
    assert "minimal risk" in answer["text"]
    assert answer["text"].strip() and "From:" not in answer["text"]
    assert answer["source"] == "From: What are the risks of myofascial release?"
    assert items[-1]["kind"] == "replies" and len(items[-1]["buttons"]) >= 2


@pytest.mark.integration
def test_was_this_helpful_sends_the_choice_marks_it_and_asks_what_they_looked_for(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    feedback = checks["feedback"]
    assert feedback["question"] == "Was this helpful?"
    assert [b["title"] for b in feedback["buttons"]] == ["👍 Yes", "👎 No"]
    assert all(b["disabled"] for b in feedback["buttons"]), "one choice per answer"
    assert [b["chosen"] for b in feedback["buttons"]] == [False, True]
    assert feedback["buttons"][1]["pressed"] == "true"
    assert checks["feedbackUser"] == "👎 No"
    assert "What were you looking for?" in checks["feedbackReply"]
    assert checks["followUpsAfterFeedback"] and not any(b["disabled"] for b in checks["followUpsAfterFeedback"]), \
        "the answer's follow-up buttons stay usable after a rating"


@pytest.mark.integration
def test_a_follow_up_button_sends_its_payload_and_shows_its_title(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    items = checks["followUpItems"]
    assert checks["followUpClicked"] in checks["followUpTitles"]
    assert texts(items, "user")[-1] == checks["followUpClicked"]
    answer = [i for i in items if i["kind"] == "bot"][-1]
    assert answer["text"] and (answer["source"] or "").startswith("From: ")
    assert checks["oldButtonsDisabled"], "buttons of earlier replies should be disabled"


@pytest.mark.integration
def test_hostile_html_is_rendered_as_text(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    assert checks["hostileUserTexts"] == [HOSTILE, HOSTILE_2]
    assert checks["injected"] == {"inLog": [], "inPage": []}
    assert checks["dialogs"] == [] and checks["dialogsTotal"] == []


@pytest.mark.integration
def test_the_emergency_reply_gets_the_banner(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    item = checks["emergencyItem"]
    assert item["text"].startswith("This could be a medical emergency")
    assert item["emergency"] and item["role"] == "alert"


@pytest.mark.integration
def test_a_reload_keeps_the_conversation_and_the_session(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    reload = checks["reload"]
    assert reload["sameSession"] and reload["open"] and reload["sameItems"], reload
    assert reload["items"] > 10
    assert (checks["afterReloadItems"][-2]["source"] or "").startswith("From: ")
    assert checks["disclaimersAfterReload"] == 1  # same server session: no second disclaimer


@pytest.mark.integration
def test_the_widget_reconnects_after_a_dropped_connection(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    assert re.search(r"Reconnecting|Can't reach", checks["statusWhileDown"])
    # asked while the connection was down: shown at once, answered after reconnecting
    assert checks["queuedWhileDown"]["lastUser"] == "what are trigger points?"
    answer = [i for i in checks["afterReconnectItems"] if i["kind"] == "bot"][-1]
    assert "distinct spots" in answer["text"] or "trigger point" in answer["text"].lower()
    assert checks["disclaimersAfterReconnect"] == 1
    assert checks["finalSessionId"] == checks["sessionId"]


@pytest.mark.integration
def test_the_server_kept_one_session_for_the_whole_visit(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    servers: Servers = web_run["servers"]
    tracker = Client(servers.url, servers.token).tracker(checks["sessionId"])
    users = [e.get("text") for e in tracker["events"] if e["event"] == "user"]
    assert users[0] == "/greet"
    assert users[1] == "what are the risks of myofascial release?"
    assert users[2] == "/feedback_unhelpful", "the thumb's payload is stored in the conversation"
    assert users[3].startswith("/")  # the follow-up button's payload, not its title
    assert len(users) == 9, users
    rated = [e for e in tracker["events"] if e["event"] == "user" and e.get("text") == "/feedback_unhelpful"]
    assert rated[0]["input_channel"] == "socketio"
    assert sum(1 for e in tracker["events"] if e["event"] == "session_started") == 1


@pytest.mark.integration
def test_the_page_reads_at_375_px(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "narrow375")
    layout = checks["layout"]
    assert layout["viewport"] == 375
    assert layout["scrollWidth"] <= 375, "horizontal scrolling at 375 px"
    assert layout["overflowing"] == 0
    assert layout["panel"]["left"] >= 0 and layout["panel"]["right"] <= 375
    assert layout["send"]["right"] <= 375 and layout["input"]["width"] >= 200
    assert float(layout["fontSize"].rstrip("px")) >= 15
    assert [i for i in checks["items"] if i["kind"] == "bot"][-1]["source"].startswith("From: ")
    assert checks["pageErrors"] == []
    assert checks["customMarker"] == {"added": 1, "text": "Marker test reply", "emergency": True}
    new_chat = checks["newChat"]
    assert new_chat["newSession"] and new_chat["users"] == 0 and "can't diagnose" in new_chat["firstBot"]


@pytest.mark.integration
def test_keyboard_only_use(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "keyboard")
    assert checks["tabsToLauncher"], "Tab never reached the launcher"
    assert checks["focusAfterOpen"]["tag"] == "input"
    assert checks["inputFocusedByTab"], checks["tabToInput"]
    answer = [i for i in checks["answerItems"] if i["kind"] == "bot"][-1]
    assert (answer["source"] or "").startswith("From: ")
    button = checks["shiftTabFromInput"]
    assert button["tag"] == "button" and "reply" in button["cls"] and not button["disabled"]
    assert texts(checks["afterButtonItems"], "user")[-1] == button["label"]
    assert [i for i in checks["afterButtonItems"] if i["kind"] == "bot"]
    assert checks["afterEscape"]["open"] is False
    assert "launcher" in checks["afterEscape"]["active"]["cls"]


@pytest.mark.integration
def test_no_script_errors_and_screenshots_saved(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "main")
    assert checks["pageErrors"] == []
    assert checks["consoleErrors"] == [] or all("WebSocket" in e or "ERR_" in e for e in checks["consoleErrors"])
    shots = [Path(p) for p in web_run["report"]["screenshots"]]
    assert len(shots) >= 12 and all(p.exists() and p.stat().st_size > 5000 for p in shots)


# ------------------------------------------------------------------ no browser needed


def test_the_widget_inserts_no_markup_from_data() -> None:
    source = (WEB / "widget.js").read_text(encoding="utf-8")
    lines = [line.split(" // ")[0] for line in source.splitlines() if not line.lstrip().startswith(("//", "*", "/*"))]
    code = "\n".join(lines)
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
        assert sink not in code, f"widget.js uses {sink}"


def test_the_socket_io_client_is_pinned_to_version_4() -> None:
    lock = json.loads((WEB / "package-lock.json").read_text())
    version = lock["packages"]["node_modules/socket.io-client"]["version"]
    assert version.startswith("4."), version
    assert lock["packages"]["node_modules/playwright-core"]["dev"] is True


def test_the_static_server_serves_only_the_widget(tmp_path: Path) -> None:
    if not (WEB / "vendor" / "socket.io.min.js").exists():
        pytest.skip("web/vendor is missing (run `npm ci` in web/)")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(WEB / "serve.py"), "--port", str(port), "--server-url", "http://127.0.0.1:1/</script>"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/")
        with urllib.request.urlopen(base + "/") as r:
            page = r.read().decode()
        assert page.count('<script src="widget.js"') == 1
        assert "</script>\"" not in page and "\\u003c/script\\u003e" in page  # config is escaped
        for ok in ("/widget.js", "/vendor/socket.io.min.js"):
            with urllib.request.urlopen(base + ok) as r:
                assert r.status == 200
        for refused in ("/package.json", "/serve.py", "/node_modules/socket.io-client/package.json",
                        "/vendor/../serve.py", "/.gitignore", "/scripts/copy-vendor.js"):
            with pytest.raises(urllib.error.HTTPError) as err:
                urllib.request.urlopen(base + refused)
            assert err.value.code == 404, refused
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.mark.integration
def test_socket_io_polling_answers_with_one_allow_origin_header(web_run: Dict[str, Any]) -> None:
    # Rasa's --cors (Sanic-CORS) gives the header; engine.io used to add a second one,
    # which browsers refuse (channels/socketio.py).
    servers: Servers = web_run["servers"]
    request = urllib.request.Request(f"{servers.url}/socket.io/?EIO=4&transport=polling",
                                     headers={"Origin": web_run["origin"]})
    with urllib.request.urlopen(request, timeout=10) as r:
        values = r.headers.get_all("Access-Control-Allow-Origin") or []
    assert values == [web_run["origin"]]


@pytest.mark.integration
def test_the_widget_works_in_the_browser_with_websocket_disabled(web_run: Dict[str, Any]) -> None:
    checks = scenario(web_run, "polling")
    assert checks["transport"] == "polling"
    answer = " ".join(texts(checks["answerItems"], "bot"))
    assert "distinct spots" in answer
    assert checks["pageErrors"] == []
    assert not any("Access-Control-Allow-Origin" in e for e in checks["consoleErrors"]), checks["consoleErrors"]
