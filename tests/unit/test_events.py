"""mfr/events.py reads stored Rasa events the way the call summary and the insights need."""

from mfr import events


def test_intent_and_ranking_of_a_user_event() -> None:
    user = {"event": "user", "parse_data": {"intent": {"name": "risks", "confidence": 0.8},
                                            "intent_ranking": [{"name": "risks", "confidence": 0.8}, "junk"]}}
    assert events.intent(user) == ("risks", 0.8)
    assert events.intent_ranking(user) == [{"name": "risks", "confidence": 0.8}]
    assert events.intent({"event": "user", "parse_data": None}) == ("", 0.0)
    assert events.intent_ranking({"event": "user"}) == []


def test_responses_of_bot_events_in_order() -> None:
    stored = [{"event": "bot", "metadata": {"utter_action": "utter_greet"}},
              {"event": "action", "name": "action_listen"},
              {"event": "bot", "metadata": {}},
              {"event": "bot", "metadata": {"utter_action": "utter_ask_helpful"}}]
    assert events.responses(stored) == ["utter_greet", "utter_ask_helpful"]
    assert events.utter_action(stored[2]) is None
