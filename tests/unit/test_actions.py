"""The custom actions, run against rasa_sdk trackers without a model."""

from __future__ import annotations

import re

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from mfr import settings as clinic_config
from actions.answers import ActionAnswerQuestion, ActionDidYouMean, ActionNoteProfile
from actions.contact import ActionHandleUnclearInput, ActionHumanHandoff
from actions.session import ActionSessionStart
from actions.slot_mappings import ActionValidateSlotMappings
from mfr.knowledge import LONG, compose_answer

ENV_OVERRIDES = ("CLINIC_NAME", "CLINIC_PHONE_NUMBER", "CLINIC_EMAIL", "CLINIC_HOURS", "EMERGENCY_NUMBER")


@pytest.fixture(scope="module")
def domain(domain_dict):
    return domain_dict


@pytest.fixture
def clinic_env(monkeypatch):
    """No environment overrides, and a fresh settings cache before and after the test."""
    for name in ENV_OVERRIDES:
        monkeypatch.delenv(name, raising=False)
    clinic_config.clinic_settings.cache_clear()
    yield monkeypatch
    clinic_config.clinic_settings.cache_clear()


@pytest.fixture(scope="module")
def clinic_file():
    with open(clinic_config.clinic_config_path(), encoding="utf-8") as f:
        return {k: str(v) for k, v in yaml.safe_load(f).items()}


def make_tracker(intent=None, entities=(), slots=None, **latest):
    latest_message = {"text": "…", "entities": list(entities), **latest}
    if intent is not None:
        latest_message["intent"] = {"name": intent, "confidence": 0.9}
    return Tracker(
        sender_id="unit-test",
        slots=dict(slots or {}),
        latest_message=latest_message,
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


async def run(action, tracker, domain):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker, domain)
    return dispatcher.messages, events


def slot_events(events):
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def payloads(message):
    return [b["payload"] for b in message["buttons"]]


def placeholders(domain, response):
    text = domain["responses"][response][0]["text"]
    return set(re.findall(r"\{(\w+)\}", text))


# ---------------------------------------------------------------- action_validate_slot_mappings


async def run_turn(action, tracker, domain):
    """Like Rasa: action_validate_slot_mappings first (it updates the slots), then ``action``."""
    slot_dispatcher = CollectingDispatcher()
    slot_events_ = await ActionValidateSlotMappings().run(slot_dispatcher, tracker, domain)
    assert slot_dispatcher.messages == []
    tracker.slots.update(slot_events(slot_events_))
    messages, events = await run(action, tracker, domain)
    return messages, slot_events_, events


def test_slot_validation_action_is_the_one_rasa_calls(domain):
    assert ActionValidateSlotMappings().name() == "action_validate_slot_mappings"
    assert "action_validate_slot_mappings" in domain["actions"]
    for slot in ("symptoms", "risk_factors"):
        assert domain["slots"][slot]["mappings"] == [{"type": "custom"}]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("slots", "entities", "expected"),
    [
        pytest.param(
            {}, [{"entity": "risk_factor", "value": "fracture_risk"}], {"risk_factors": ["fracture_risk"]}, id="adds"
        ),
        pytest.param(
            {"symptoms": ["knots"], "risk_factors": []},
            [{"entity": "symptom", "value": "dull_ache"}],
            {"symptoms": ["knots", "dull_ache"]},
            id="appends",
        ),
        pytest.param(
            {"symptoms": ["mood_sleep_problems", "knots"], "risk_factors": []},
            [{"entity": "symptom", "value": "mood_sleep_problems", "role": "negated"}],
            {"symptoms": ["knots"]},
            id="negated-removes",
        ),
        pytest.param(
            {"symptoms": [], "risk_factors": []},
            [{"entity": "risk_factor", "value": "fracture_risk", "role": "hypothetical"}],
            {},
            id="hypothetical-fills-nothing",
        ),
        pytest.param(
            {"symptoms": ["knots"], "risk_factors": []}, [{"entity": "symptom", "value": "knots"}], {}, id="unchanged"
        ),
        pytest.param({"symptoms": ["knots"], "risk_factors": ["oil_allergy"]}, [], {}, id="no-entities"),
    ],
)
async def test_slot_validation_updates_profile_slots(domain, slots, entities, expected):
    messages, events = await run(ActionValidateSlotMappings(), make_tracker("inform", entities, slots=slots), domain)
    assert messages == []
    assert slot_events(events) == expected


# ---------------------------------------------------------------- action_answer_question


@pytest.mark.asyncio
async def test_answer_question_risks_with_fracture_risk(domain, knowledge):
    entity = {"entity": "risk_factor", "value": "fracture_risk", "start": 0, "end": 12}
    tracker = make_tracker("risks", [entity], slots={"symptoms": [], "risk_factors": []})
    messages, profile_events, events = await run_turn(ActionAnswerQuestion(), tracker, domain)
    assert slot_events(profile_events) == {"risk_factors": ["fracture_risk"]}
    message, feedback = messages
    assert feedback["response"] == "utter_ask_helpful", "an answer is followed by 'Was this helpful?'"
    assert message["response"] == "utter_answer"
    assert "fractures" in message["answer"]
    assert knowledge.risk_additions["fracture_risk"].label in message["answer"]
    assert "healthcare provider" in message["answer"]
    assert "What are the risks of myofascial release?" in message["source"]
    assert placeholders(domain, "utter_answer") <= set(message)
    assert payloads(message)[0] == "/more_detail"
    assert payloads(message)[1:] == [f"/{t}" for t in knowledge.topics["risks"].follow_ups]
    assert slot_events(events) == {"last_topic": "risks"}


@pytest.mark.asyncio
async def test_answer_question_uses_the_current_slots(domain):
    tracker = make_tracker("symptoms", slots={"symptoms": ["knots"], "risk_factors": ["oil_allergy"]})
    messages, events = await run(ActionAnswerQuestion(), tracker, domain)
    assert messages[0]["answer"].count("palpable painful knots") == 2  # the list, and "You mentioned ..."
    assert slot_events(events) == {"last_topic": "symptoms"}


@pytest.mark.asyncio
async def test_more_detail_gives_the_long_answer_of_the_last_topic(domain, knowledge, article):
    tracker = make_tracker("more_detail", slots={"last_topic": "evidence"})
    messages, events = await run(ActionAnswerQuestion(), tracker, domain)
    message, feedback = messages
    assert feedback["response"] == "utter_ask_helpful"
    expected = compose_answer(knowledge, article, "evidence", LONG)
    assert message["response"] == "utter_answer"
    assert message["answer"] == expected.text
    assert len(message["answer"]) > len(compose_answer(knowledge, article, "evidence").text)
    assert "/more_detail" not in payloads(message)
    assert slot_events(events) == {"last_topic": "evidence"}


@pytest.mark.asyncio
async def test_the_phone_line_asks_for_feedback_at_the_end_of_a_call_not_after_each_answer(domain):
    call = [{"event": "user", "text": "what are the risks", "input_channel": "twilio_voice",
             "parse_data": {"intent": {"name": "risks", "confidence": 0.9}, "entities": []}}]
    tracker = make_tracker("risks")
    tracker.events = call
    messages, _ = await run(ActionAnswerQuestion(), tracker, domain)
    assert [m["response"] for m in messages] == ["utter_answer"]


def test_the_feedback_buttons_are_thumbs_with_payloads_the_insights_read(domain):
    from insights.extract import FEEDBACK_HELPFUL, FEEDBACK_UNHELPFUL

    (variant,) = domain["responses"]["utter_ask_helpful"]
    assert [b["payload"] for b in variant["buttons"]] == [f"/{FEEDBACK_HELPFUL}", f"/{FEEDBACK_UNHELPFUL}"]
    assert {FEEDBACK_HELPFUL, FEEDBACK_UNHELPFUL} <= set(domain["intents"])


@pytest.mark.asyncio
async def test_more_detail_without_last_topic_offers_help(domain):
    messages, events = await run(ActionAnswerQuestion(), make_tracker("more_detail"), domain)
    assert [m["response"] for m in messages] == ["utter_help"]
    assert "last_topic" not in slot_events(events)


@pytest.mark.asyncio
async def test_non_topic_intent_offers_help(domain):
    messages, _ = await run(ActionAnswerQuestion(), make_tracker("greet"), domain)
    assert [m["response"] for m in messages] == ["utter_help"]


@pytest.mark.asyncio
async def test_negated_entity_removes_existing_slot_value_before_answering(domain):
    tracker = make_tracker(
        "who_benefits",
        [{"entity": "symptom", "value": "mood_sleep_problems", "role": "negated"}],
        slots={"symptoms": ["mood_sleep_problems", "knots"], "risk_factors": []},
    )
    messages, profile_events, _ = await run_turn(ActionAnswerQuestion(), tracker, domain)
    assert slot_events(profile_events) == {"symptoms": ["knots"]}
    answer = messages[0]["answer"]
    assert "palpable painful knots" in answer
    assert "disturbances in mood or sleep" not in answer


@pytest.mark.asyncio
async def test_hypothetical_entity_fills_nothing_before_answering(domain):
    tracker = make_tracker(
        "risks",
        [{"entity": "risk_factor", "value": "fracture_risk", "role": "hypothetical"}],
        slots={"symptoms": [], "risk_factors": []},
    )
    messages, profile_events, _ = await run_turn(ActionAnswerQuestion(), tracker, domain)
    assert profile_events == []
    assert "You mentioned" not in messages[0]["answer"]


@pytest.mark.asyncio
async def test_not_covered_has_no_source(domain, knowledge):
    messages, events = await run(ActionAnswerQuestion(), make_tracker("not_covered"), domain)
    message, _ = messages
    assert message["response"] == "utter_answer_no_source"
    assert "source" not in message
    assert message["answer"] == knowledge.topics["not_covered"].short[0].text
    assert slot_events(events) == {"last_topic": "not_covered"}


# ---------------------------------------------------------------- action_note_profile


@pytest.mark.asyncio
async def test_note_profile_names_new_symptom(domain):
    tracker = make_tracker(
        "inform", [{"entity": "symptom", "value": "knots"}], slots={"symptoms": [], "risk_factors": []}
    )
    messages, profile_events, events = await run_turn(ActionNoteProfile(), tracker, domain)
    (message,) = messages
    assert message["response"] == "utter_answer"
    assert "palpable painful knots within muscles" in message["answer"]
    assert "healthcare provider" in message["answer"]
    assert "Who might benefit from myofascial release?" in message["source"]
    assert payloads(message) == ["/risks", "/who_benefits", "/see_doctor"]
    assert slot_events(profile_events) == {"symptoms": ["knots"]}
    assert events == []


@pytest.mark.asyncio
async def test_note_profile_names_new_risk_factor(domain):
    tracker = make_tracker(
        "inform", [{"entity": "risk_factor", "value": "oil_allergy"}], slots={"symptoms": [], "risk_factors": []}
    )
    messages, _, _ = await run_turn(ActionNoteProfile(), tracker, domain)
    answer = messages[0]["answer"]
    assert "allergic" in answer
    assert "healthcare provider" in answer
    assert "What are the risks of myofascial release?" in messages[0]["source"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("entities", "slots"),
    [
        pytest.param([], {"symptoms": ["knots"], "risk_factors": []}, id="no-entities"),
        pytest.param(
            [{"entity": "symptom", "value": "knots", "role": "negated"}],
            {"symptoms": ["knots"], "risk_factors": []},
            id="only-negated",
        ),
        pytest.param(
            [{"entity": "risk_factor", "value": "fracture_risk", "role": "hypothetical"}],
            {"symptoms": [], "risk_factors": []},
            id="only-hypothetical",
        ),
        pytest.param(
            [{"entity": "symptom", "value": "sore_toes"}], {"symptoms": [], "risk_factors": []}, id="unknown-id"
        ),
    ],
)
async def test_note_profile_with_nothing_new(domain, knowledge, entities, slots):
    messages, _, events = await run_turn(ActionNoteProfile(), make_tracker("inform", entities, slots=slots), domain)
    (message,) = messages
    assert message["answer"] == knowledge.profile_nothing_new.text
    assert message["response"] == "utter_answer_no_source"
    assert payloads(message) == ["/risks", "/who_benefits", "/see_doctor"]
    assert events == []


# ---------------------------------------------------------------- action_did_you_mean


@pytest.mark.asyncio
async def test_did_you_mean_offers_likely_topics(domain, knowledge):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.7},
        {"name": "risks", "confidence": 0.4},
        {"name": "evidence", "confidence": 0.3},
        {"name": "greet", "confidence": 0.2},
        {"name": "back_pain", "confidence": 0.04},
    ]
    tracker = make_tracker("nlu_fallback", intent_ranking=ranking)
    messages, events = await run(ActionDidYouMean(), tracker, domain)
    (message,) = messages
    assert message["response"] == "utter_did_you_mean"
    assert payloads(message) == ["/risks", "/evidence", "/none_of_these"]
    assert message["buttons"][0]["title"] == knowledge.topics["risks"].title
    assert events == []


@pytest.mark.asyncio
async def test_did_you_mean_offers_at_most_three_topics(domain):
    ranking = [
        {"name": t, "confidence": c}
        for t, c in [("risks", 0.3), ("evidence", 0.25), ("symptoms", 0.2), ("at_home", 0.15)]
    ]
    messages, _ = await run(ActionDidYouMean(), make_tracker("nlu_fallback", intent_ranking=ranking), domain)
    assert payloads(messages[0]) == ["/risks", "/evidence", "/symptoms", "/none_of_these"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "ranking",
    [
        pytest.param(
            [{"name": "nlu_fallback", "confidence": 0.8}, {"name": "greet", "confidence": 0.2}], id="no-topic"
        ),
        pytest.param([{"name": "risks", "confidence": 0.01}], id="topic-too-unlikely"),
        pytest.param([], id="empty-ranking"),
    ],
)
async def test_did_you_mean_without_topics_asks_to_rephrase(domain, ranking):
    messages, events = await run(ActionDidYouMean(), make_tracker("nlu_fallback", intent_ranking=ranking), domain)
    assert [m["response"] for m in messages] == ["utter_rephrase"]
    assert messages[0]["buttons"] == []
    assert events == []


# ---------------------------------------------------------------- action_session_start


@pytest.mark.asyncio
async def test_session_start_sends_disclaimer_with_clinic_settings(domain, clinic_env, clinic_file):
    messages, events = await run(ActionSessionStart(), make_tracker(), domain)
    assert events[0]["event"] == "session_started"
    assert events[-1]["event"] == "action"
    assert events[-1]["name"] == "action_listen"
    (message,) = messages
    assert message["response"] == "utter_disclaimer"
    assert message["emergency_number"] == clinic_file["emergency_number"]
    assert placeholders(domain, "utter_disclaimer") <= set(message)
    assert slot_events(events)["emergency_number"] == clinic_file["emergency_number"]
    assert slot_events(events)["clinic_phone"] == clinic_file["clinic_phone"]


@pytest.mark.asyncio
async def test_session_start_emergency_number_from_environment(domain, clinic_env):
    clinic_env.setenv("EMERGENCY_NUMBER", "112")
    clinic_config.clinic_settings.cache_clear()
    messages, events = await run(ActionSessionStart(), make_tracker(), domain)
    assert messages[0]["emergency_number"] == "112"
    assert slot_events(events)["emergency_number"] == "112"


def test_session_slots_are_domain_slots(domain, clinic_env):
    assert set(clinic_config.clinic_settings().as_slots()) <= set(domain["slots"])


# ---------------------------------------------------------------- action_human_handoff


@pytest.mark.asyncio
async def test_human_handoff_gives_clinic_phone(domain, clinic_env, clinic_file):
    messages, events = await run(ActionHumanHandoff(), make_tracker("human_handoff"), domain)
    (message,) = messages
    assert message["response"] == "utter_human_handoff"
    assert message["clinic_phone"] == clinic_file["clinic_phone"]
    assert message["custom"]["handoff"]["phone"] == clinic_file["clinic_phone"]
    assert message["custom"]["handoff"]["summary"] == {"topics": [], "symptoms": [], "risk_factors": [],
                                                       "disposition": None, "red_flag": False}
    assert placeholders(domain, "utter_human_handoff") <= set(message)
    assert events == []


@pytest.mark.asyncio
async def test_human_handoff_phone_from_environment(domain, clinic_env):
    clinic_env.setenv("CLINIC_PHONE_NUMBER", "+44 20 7946 0000")
    clinic_config.clinic_settings.cache_clear()
    messages, _ = await run(ActionHumanHandoff(), make_tracker("human_handoff"), domain)
    assert messages[0]["clinic_phone"] == "+44 20 7946 0000"
    assert messages[0]["custom"]["handoff"]["phone"] == "+44 20 7946 0000"


# ---------------------------------------------------------------- action_handle_unclear_input


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("issue", "response"),
    [
        pytest.param("too_long", "utter_input_too_long", id="too-long"),
        pytest.param("empty", "utter_input_empty", id="empty"),
        pytest.param("no_text", "utter_unclear_input", id="no-text"),
        pytest.param("non_latin", "utter_unclear_input", id="other-issue"),
        pytest.param(None, "utter_unclear_input", id="no-issue"),
    ],
)
async def test_handle_unclear_input(domain, issue, response):
    latest = {} if issue is None else {"input_issue": issue}
    messages, events = await run(ActionHandleUnclearInput(), make_tracker("unclear_input", **latest), domain)
    assert [m["response"] for m in messages] == [response]
    assert events == []


# ---------------------------------------------------------------- domain consistency


@pytest.mark.parametrize(
    "action",
    [
        ActionSessionStart(),
        ActionAnswerQuestion(),
        ActionNoteProfile(),
        ActionDidYouMean(),
        ActionHumanHandoff(),
        ActionHandleUnclearInput(),
    ],
    ids=lambda a: a.name(),
)
def test_action_is_declared_in_domain(domain, action):
    assert action.name() in domain["actions"]


@pytest.mark.parametrize(
    "response",
    [
        "utter_answer",
        "utter_answer_no_source",
        "utter_help",
        "utter_did_you_mean",
        "utter_rephrase",
        "utter_disclaimer",
        "utter_human_handoff",
        "utter_input_empty",
        "utter_input_too_long",
        "utter_unclear_input",
    ],
)
def test_responses_used_by_actions_exist_in_domain(domain, response):
    assert response in domain["responses"]
