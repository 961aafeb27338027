"""bench/model_targets.py: the model issue's verdicts in the benchmark's summary."""

from __future__ import annotations

from typing import Any, Dict, List, Optional

from bench import model_targets as M
from bench.formatting import pct


def peer(name: str, acc: float, phone: float, oos: float, kept: float) -> Dict[str, Any]:
    return {"model": name, "intent_accuracy": acc, "phone_accuracy": phone, "oos_rejection": oos,
            "in_scope_kept": kept}


def verdicts(rows: List[List[str]]) -> Dict[str, str]:
    return {r[0]: r[-1] for r in rows}


def test_a_quality_target_needs_the_figure_and_no_better_peer() -> None:
    R = {"peers": [peer("project", 0.97, 0.96, 0.96, 0.995), peer("tfidf", 0.98, 0.90, 0.95, 0.999)]}
    got = verdicts(M.quality_rows(R, pct))
    assert got["intent accuracy, own held-out sentences"] == "FAIL"  # 0.97 >= 0.96 but a peer has 0.98
    assert got["intent accuracy, phone-style sentences"] == "PASS"
    assert got["out-of-scope rejected"] == "FAIL"  # below 0.97, though ahead of the peer
    assert got["in-scope questions kept"] == "FAIL"  # 0.995 >= 0.99 but the peer keeps 0.999
    row = M.quality_rows(R, pct)[0]
    assert "best peer 98.0 %: tfidf" in row[1]


def test_unmeasured_quality_is_not_a_pass() -> None:
    R: Dict[str, Any] = {"peers": [{"model": "project", "intent_accuracy": None}]}
    assert set(verdicts(M.quality_rows(R, pct)).values()) == {"n/a"}


def test_phone_accuracy_comes_from_the_style_table() -> None:
    assert M.phone_accuracy({"intent_by_style": {"phone": [0.9, 135], "web": [1.0, 2]}}) == 0.9
    assert M.phone_accuracy(None) is None


def live(first: float, rss: float, levels: List[Dict[str, Any]]) -> Dict[str, Any]:
    return {"first_answer_s": first, "rss_after_warmup_mb": {"rasa": rss}, "load": levels}


def lv(users: int, p50: float, p95: float, rss: float, target: str = "POST /webhooks/rest/webhook"
       ) -> Dict[str, Any]:
    return {"target": target, "users": users, "p50_ms": p50, "p95_ms": p95, "rss_peak_mb": {"rasa": rss}}


def test_cost_figures_take_the_peak_memory_and_the_webhook_levels() -> None:
    figures = M.cost_figures(live(8.0, 500, [lv(1, 6, 12, 520), lv(1, 0.5, 0.9, 999, target="GET /"),
                                             lv(16, 40, 90, 580)]), 25.0)
    assert figures == {"cold_train_s": 25.0, "rss_mb": 999, "first_answer_s": 8.0, "p50_1_ms": 6,
                       "p95_1_ms": 12, "p95_16_ms": 90}
    # The floor level (GET /) counts for memory but not for latency.
    assert M.cost_figures(None, None) == dict.fromkeys(figures)


def test_cost_rows_give_ratio_to_the_previous_model_and_verdicts() -> None:
    mine: Dict[str, Optional[float]] = {"cold_train_s": 24.0, "rss_mb": 650.0, "first_answer_s": 9.0,
                                        "p50_1_ms": 8.0, "p95_1_ms": 20.0, "p95_16_ms": None}
    before: Dict[str, Optional[float]] = {"cold_train_s": 160.0, "rss_mb": 900.0, "first_answer_s": 18.0,
                                          "p50_1_ms": 16.0, "p95_1_ms": 40.0, "p95_16_ms": 300.0}
    rows = {r[0]: r for r in M.cost_rows(mine, before)}
    assert rows["cold `rasa train`"][1:] == ["24.0 s", "<= 30 s", "160.0 s", "0.15", "PASS"]
    assert rows["Rasa server resident memory (peak)"][-1] == "FAIL"
    assert rows["Rasa server resident memory (peak)"][4] == "0.72"
    assert rows["webhook p95, 16 users without think time"][-1] == "n/a"
    no_previous = {r[0]: r for r in M.cost_rows(mine, dict.fromkeys(before))}
    assert no_previous["start to first answer"][3:] == ["-", "-", "PASS"]
