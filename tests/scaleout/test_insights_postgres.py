"""Feedback and unanswered questions reach the clinic's insights from the scale-out PostgreSQL store.

Conversations go through nginx to both Rasa servers; `insights` then reads
PostgreSQL with the same settings the servers use (DB_HOST, ...), as
`make insights` does on a scale-out deployment.
"""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import List

import httpx

from deploy.scaleout import Stack
from insights.extract import KIND_COMMENT, KIND_THUMBS_DOWN
from insights.report import build, render
from insights.store import database_url, read_conversations
from mfr.settings import ROOT


def send(stack: Stack, sender: str, text: str) -> List[dict]:
    r = httpx.post(f"{stack.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=120)
    r.raise_for_status()
    return list(r.json())


def test_feedback_and_unanswered_questions_are_read_from_postgresql(stack: Stack, tmp_path: Path) -> None:
    unhappy, happy = f"pg-insights-{uuid.uuid4().hex[:8]}", f"pg-insights-{uuid.uuid4().hex[:8]}"
    answer = send(stack, unhappy, "what are the risks of myofascial release?")
    assert any(m.get("text") == "Was this helpful?" for m in answer)
    asked = send(stack, unhappy, "/feedback_unhelpful")
    assert "What were you looking for?" in " ".join(m.get("text") or "" for m in asked)
    send(stack, unhappy, "whether I can have it while pregnant, my number is 07700 900123")
    send(stack, happy, "is there any evidence that it works?")
    send(stack, happy, "/feedback_helpful")

    env = stack.server_env()
    url = database_url(env)
    assert url.get_backend_name() == "postgresql"
    conversations = read_conversations(url)
    assert {unhappy, happy} <= set(conversations)

    insights = build(url, days=1)
    rated = {title: (yes, no) for title, yes, no in insights.helpfulness}
    assert rated["Risks and safety"][1] >= 1 and rated["What the evidence says"][0] >= 1
    shown = " ".join(example for cluster in insights.clusters for example in cluster.members)
    assert "pregnant" in shown and "07700" not in shown, "redacted like the logs"
    kinds = {kind for cluster in insights.clusters for kind in cluster.kinds}
    assert {KIND_THUMBS_DOWN, KIND_COMMENT} <= kinds
    assert "Was this helpful?" not in render(insights)

    out = tmp_path / "insights.html"
    done = subprocess.run([sys.executable, "-m", "insights.report", "--days", "1", "--out", str(out)], cwd=ROOT,
                          env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text(encoding="utf-8").count('src="data:image/png;base64,') >= 3


def test_forget_me_and_retention_reach_postgresql(stack: Stack) -> None:
    sender = f"pg-forget-{uuid.uuid4().hex[:8]}"
    send(stack, sender, "is myofascial release covered by my insurance?")
    send(stack, sender, "/feedback_unhelpful")
    env = {**stack.server_env(), "PYTHONPATH": str(ROOT)}
    url = database_url(env)
    assert sender in read_conversations(url)

    def retention(*args: str) -> str:
        done = subprocess.run([sys.executable, "scripts/retention.py", *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    counted = retention("purge", "--days", "0.00001", "--dry-run")
    assert "would delete" in counted and "postgresql" in counted
    assert sender in read_conversations(url), "a dry run deletes nothing"
    assert "deleted: " in retention("forget", "--sender", sender)
    assert sender not in read_conversations(url), "forgotten in PostgreSQL, so gone from the insights"
