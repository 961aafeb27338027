"""The screen-band report behind mfr.safety.LOW_SCREEN_SCORE (evaluation/screen_band.py)."""

from __future__ import annotations

from evaluation import screen_band


def _parse(score: float, rules: list, ranking: list) -> dict:
    thresholds = {"emergency": 0.79, "screen": 0.14}
    return {"emergency_detection": {"rules": rules, "learned": {"score": score, "thresholds": thresholds}},
            "intent_ranking": ranking}


def test_a_score_counts_only_inside_the_band_and_without_a_rule() -> None:
    assert screen_band.band_score(_parse(0.42, [], [])) == 0.42
    assert screen_band.band_score(_parse(0.14, [], [])) == 0.14
    assert screen_band.band_score(_parse(0.1, [], [])) is None
    assert screen_band.band_score(_parse(0.79, [], [])) is None
    assert screen_band.band_score(_parse(0.42, [{"flag": "stroke"}], [])) is None
    assert screen_band.band_score({"intent": {"name": "greet"}}) is None


def test_the_top_ordinary_intent_skips_the_safety_intents() -> None:
    ranking = [{"name": "red_flag_screen", "confidence": 1.0}, {"name": "emergency", "confidence": 0.6},
               {"name": "at_home", "confidence": 0.3}]
    assert screen_band.top_ordinary(_parse(0.4, [], ranking)) == ("at_home", 0.3)
    assert screen_band.top_ordinary(_parse(0.4, [], [])) == ("", 0.0)


def test_rows_are_counted_per_tenth_of_score() -> None:
    rows = [("a", 0.15, "x"), ("b", 0.42, "x"), ("c", 0.49, "x"), ("d", 0.5, "x")]
    assert screen_band.count(rows) == {"0.1-0.2": 1, "0.4-0.5": 2, "0.5-0.6": 1}
