"""The clinic's insights from a seeded conversation store: unanswered questions, clusters, the page."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event

from insights.clusters import cluster_questions
from insights.extract import (
    KIND_COMMENT,
    KIND_FALLBACK,
    KIND_NONE_OF_THESE,
    KIND_NOT_COVERED,
    KIND_OUT_OF_SCOPE,
    KIND_THUMBS_DOWN,
    Unanswered,
    extract,
)
from insights.report import build, render
from insights.store import database_url, read_conversations
from privacy import retention

NOW = time.time()
DAY = 86400.0
TOPICS = ("what_is_mfr", "risks", "evidence", "at_home", "not_covered")


def user(text: str, intent: str, confidence: float = 0.9, channel: str = "rest", at: float = NOW,
         ranking: Optional[List[Dict[str, Any]]] = None) -> Dict[str, Any]:
    parse = {"text": text, "intent": {"name": intent, "confidence": confidence}, "entities": [],
             "intent_ranking": ranking or [{"name": intent, "confidence": confidence}]}
    return {"event": "user", "text": text, "parse_data": parse, "input_channel": channel, "timestamp": at}


def bot(response: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "bot", "text": response, "metadata": {"utter_action": response}, "timestamp": at}


def topic(name: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "slot", "name": "last_topic", "value": name, "timestamp": at}


def action(name: str, at: float = NOW) -> Dict[str, Any]:
    return {"event": "action", "name": name, "timestamp": at}


def answered(text: str, name: str, channel: str = "rest", at: float = NOW) -> List[Dict[str, Any]]:
    return [user(text, name, channel=channel, at=at), action("action_answer_question", at), bot("utter_answer", at),
            topic(name, at), action("action_listen", at)]


def unsure(text: str, channel: str = "rest", at: float = NOW, guess: str = "risks") -> List[Dict[str, Any]]:
    return [user(text, "nlu_fallback", 0.3, channel, at, [{"name": guess, "confidence": 0.3}]),
            action("action_did_you_mean", at), bot("utter_did_you_mean", at), action("action_listen", at)]


MIGRAINE = ["does it help with migraines", "can myofascial release fix my migraine headaches",
            "will it cure migraines?", "migraines every week, would this help"]
INSURANCE = ["is it covered by my insurance", "does insurance pay for it", "can my insurance cover this"]
COST = ["how much does a session cost", "how much do you charge per session"]

CONVERSATIONS: Dict[str, List[Dict[str, Any]]] = {
    # Thumbs down on an answer, then what they were looking for.
    "web-1": [*answered("what are the risks", "risks"), user("/feedback_unhelpful", "feedback_unhelpful"),
              bot("utter_feedback_unhelpful"), action("action_listen"),
              user("whether it is safe while pregnant, call me on 07700 900123", "risks")],
    "web-2": [*answered("is there evidence", "evidence"), user("/feedback_helpful", "feedback_helpful"),
              bot("utter_feedback_thanks")],
    # "Did you mean" -> "None of these".
    "tg-1": [*unsure(MIGRAINE[0], "telegram"), user("/none_of_these", "none_of_these", channel="telegram"),
             bot("utter_rephrase")],
    # "Did you mean" and a pick: answered, not unanswered.
    "tg-2": [*unsure("what about the knots thing", "telegram"), *answered("/risks", "risks", "telegram")],
    # Fallbacks left without a pick.
    **{f"web-m{i}": unsure(q, at=NOW - i * DAY) for i, q in enumerate(MIGRAINE[1:], 1)},
    **{f"phone-i{i}": [user(q, "not_covered", 0.8, "twilio_voice"), bot("utter_answer"), topic("not_covered")]
       for i, q in enumerate(INSURANCE)},
    # Off-topic but close (a topic has some confidence) and off-topic, full stop.
    **{f"web-c{i}": [user(q, "out_of_scope", 0.7, ranking=[{"name": "out_of_scope", "confidence": 0.7},
                                                          {"name": "at_home", "confidence": 0.2}]),
                     bot("utter_out_of_scope")] for i, q in enumerate(COST)},
    "web-weather": [user("what's the weather tomorrow", "out_of_scope", 0.99,
                         ranking=[{"name": "out_of_scope", "confidence": 0.99}]), bot("utter_out_of_scope")],
    # Safety: an emergency reply and a completed triage.
    "web-e": [user("crushing chest pain", "emergency", 1.0), bot("utter_emergency")],
    "web-t": [user("it's me", "inform"), action("action_triage_disposition"), bot("utter_answer"),
              bot("utter_triage_summary")],
    # Outside the period.
    "web-old": unsure("a question from long ago about migraines", at=NOW - 90 * DAY),
}


def seed(db: Path, domain: Domain, conversations: Dict[str, List[Dict[str, Any]]]) -> None:
    """Writes the conversations with Rasa's own SQL tracker store (the real schema)."""
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(db))
    for sender, events in conversations.items():
        tracker = asyncio.run(store.get_or_create_tracker(sender, append_action_listen=False))
        for event in events:
            tracker.update(Event.from_parameters(event))
        asyncio.run(store.save(tracker))
    store.engine.dispose()


@pytest.fixture()
def db(tmp_path: Path, rasa_domain: Domain) -> Path:
    path = tmp_path / "tracker.db"
    seed(path, rasa_domain, CONVERSATIONS)
    return path


def url(db: Path) -> sa.engine.URL:
    return sa.engine.URL.create("sqlite", database=str(db))


def all_unanswered(db: Path, since: Optional[float] = NOW - 30 * DAY) -> List[Unanswered]:
    return [u for sender, events in read_conversations(url(db), since).items()
            for u in extract(sender, events, TOPICS).unanswered]


def test_each_kind_of_unanswered_message_is_found_and_redacted(db: Path) -> None:
    found = {(u.kind, u.text) for u in all_unanswered(db)}
    assert (KIND_THUMBS_DOWN, "what are the risks") in found
    comment = [t for k, t in found if k == KIND_COMMENT]
    assert comment and "07700" not in comment[0] and "pregnant" in comment[0], "redacted like the logs"
    assert (KIND_NONE_OF_THESE, MIGRAINE[0]) in found
    assert {(KIND_FALLBACK, q) for q in MIGRAINE[1:]} <= found
    assert {(KIND_NOT_COVERED, q) for q in INSURANCE} <= found
    assert {(KIND_OUT_OF_SCOPE, q) for q in COST} <= found
    texts = {t for _, t in found}
    assert "what about the knots thing" not in texts, "a 'Did you mean' with a pick was answered"
    assert "what's the weather tomorrow" not in texts, "plainly off-topic is not the clinic's gap"
    assert "a question from long ago about migraines" not in texts, "outside the period"


def test_feedback_is_tied_to_the_topic_and_channel_of_the_answer(db: Path) -> None:
    conversations = read_conversations(url(db))
    [bad] = extract("web-1", conversations["web-1"], TOPICS).feedback
    assert not bad.helpful and bad.topic == "risks" and bad.channel == "rest" and bad.question == "what are the risks"
    [good] = extract("web-2", conversations["web-2"], TOPICS).feedback
    assert good.helpful and good.topic == "evidence"


def test_the_largest_groups_come_first() -> None:
    items = [Unanswered("s", float(i), "rest", KIND_FALLBACK, q, "risks", 0.3)
             for i, q in enumerate([*MIGRAINE, *INSURANCE, *COST, "parking at the clinic"])]
    clusters = cluster_questions(items)
    assert [c.count for c in clusters[:3]] == [4, 3, 2]
    assert set(clusters[0].examples) <= set(MIGRAINE) and len(clusters[0].examples) == 3
    assert set(clusters[1].examples) <= set(INSURANCE)
    assert set(clusters[2].examples) <= set(COST)
    assert cluster_questions([]) == []
    assert [c.count for c in cluster_questions(items[:1])] == [1]


def test_the_page_shows_the_week_and_the_three_largest_groups(db: Path) -> None:
    insights = build(url(db), days=30, now=NOW)
    assert insights.conversations == len(CONVERSATIONS) - 1
    assert [c.count for c in insights.clusters[:3]] == [4, 3, 2]
    assert insights.clusters[0].guessed_intent == "risks"
    assert sorted(insights.helpfulness) == [("Risks and safety", 0, 1), ("What the evidence says", 1, 0)]
    assert sum(insights.red_flags_per_week.values()) == 1
    assert sum(n for week in insights.triage_per_week.values() for n in week.values()) == 1
    assert set(insights.plots) == {"per_day", "topics", "unanswered_rate", "helpfulness", "safety"}
    html = render(insights)
    assert html.count('src="data:image/png;base64,') == 5, "self-contained: the plots are in the page"
    assert MIGRAINE[1] in html or MIGRAINE[2] in html


def test_patients_words_cannot_inject_markup(tmp_path: Path, rasa_domain: Domain) -> None:
    db = tmp_path / "tracker.db"
    seed(db, rasa_domain, {"web-x": unsure('<script>alert("x")</script><img src=x onerror=alert(1)>')})
    html = render(build(url(db), days=30, now=NOW))
    assert "<script>alert" not in html and "<img src=x" not in html
    assert "&lt;script&gt;" in html


def test_forget_me_and_retention_remove_a_conversation_from_the_insights(db: Path) -> None:
    retention.forget(db, sender_id="web-1")
    assert KIND_COMMENT not in {u.kind for u in all_unanswered(db)}
    retention.purge(db, days=2, now=NOW)
    texts = {u.text for u in all_unanswered(db, since=None)}
    assert MIGRAINE[3] not in texts and MIGRAINE[1] in texts, "events older than two days are gone"


def test_an_empty_or_missing_store_gives_an_empty_page(tmp_path: Path) -> None:
    insights = build(url(tmp_path / "none.db"), days=7, now=NOW)
    assert insights.conversations == 0 and insights.clusters == [] and insights.plots == {}
    assert "Nothing unanswered" in render(insights)


def test_the_store_url_is_postgresql_with_the_scale_out_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"DB_HOST": "db.internal", "DB_PORT": "5433", "DB_NAME": "rasa", "DB_USER": "rasa", "DB_PASSWORD": "pw"}
    assert database_url(env).render_as_string(hide_password=False) == "postgresql://rasa:pw@db.internal:5433/rasa"
    monkeypatch.setenv("TRIAGE_DB", "/tmp/somewhere.db")
    assert str(database_url({})) == "sqlite:////tmp/somewhere.db"
