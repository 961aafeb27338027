"""The model issue's targets and the comparison with the previous model (DIET), for the report.

Quality targets compare the project model with every peer of the same run;
cost targets come from the live servers and the cold training. The previous
model is the DIET configuration the project used until 2026-12-04
(bench/previous_config.yml), trained and served in the same run, so that the
report can give each cost as a ratio to it.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional

PREVIOUS = "previous project model (DIET, bench/previous_config.yml)"

# (figure, target text, test on the measured value)
QUALITY_TARGETS = (
    ("intent accuracy, own held-out sentences", "intent_accuracy", ">= 96 %", lambda v: v >= 0.96),
    ("intent accuracy, phone-style sentences", "phone_accuracy", ">= 95 %", lambda v: v >= 0.95),
    ("out-of-scope rejected", "oos_rejection", ">= 97 %", lambda v: v >= 0.97),
    ("in-scope questions kept", "in_scope_kept", ">= 99 %", lambda v: v >= 0.99),
)


def phone_accuracy(quality: Optional[Dict[str, Any]]) -> Optional[float]:
    """Intent accuracy on the phone-style held-out sentences."""
    if not quality:
        return None
    by_style = quality.get("intent_by_style", {})
    return float(by_style["phone"][0]) if "phone" in by_style else None


def quality_rows(R: Dict[str, Any], pct: Callable[[Optional[float]], str]) -> List[List[str]]:
    """Each quality target: the project's figure, the best peer's, and whether both hold."""
    rows = []
    project = R["peers"][0] if R.get("peers") else {}
    for label, key, target, ok in QUALITY_TARGETS:
        mine = project.get(key)
        if mine is None:
            rows.append([label, "not measured", target, "n/a"])
            continue
        peers = [(p["model"], p[key]) for p in R["peers"][1:] if p.get(key) is not None]
        best = max(peers, key=lambda p: p[1], default=None)
        ahead = best is None or mine >= best[1]
        text = pct(mine) + (f" (best peer {pct(best[1])}: {best[0]})" if best else "")
        rows.append([label, text, f"{target}, and no peer better",
                     "PASS" if ok(mine) and ahead else "FAIL"])
    return rows


def load_level(live: Optional[Dict[str, Any]], users: int, target_prefix: str = "POST") -> Optional[Dict[str, Any]]:
    """The summary of one load level of a live run (the webhook by default), or None if it did not run."""
    for lv in (live or {}).get("load", []):
        if lv["target"].startswith(target_prefix) and lv["users"] == users:
            return lv
    return None


def cost_figures(live: Optional[Dict[str, Any]], cold_train_s: Optional[float]) -> Dict[str, Optional[float]]:
    """The cost figures of one model's live run and cold training."""
    live = live or {}
    one, sixteen = load_level(live, 1), load_level(live, 16)
    peak = None
    if live.get("rss_after_warmup_mb"):
        peak = max([live["rss_after_warmup_mb"]["rasa"]] +
                   [lv["rss_peak_mb"].get("rasa", 0) for lv in live.get("load", [])])
    return {
        "cold_train_s": cold_train_s,
        "rss_mb": peak,
        "first_answer_s": live.get("first_answer_s"),
        "p50_1_ms": one["p50_ms"] if one else None,
        "p95_1_ms": one["p95_ms"] if one else None,
        "p95_16_ms": sixteen["p95_ms"] if sixteen else None,
    }


# (figure key, label, target, unit)
COST_TARGETS = (
    ("cold_train_s", "cold `rasa train`", 30.0, "s"),
    ("rss_mb", "Rasa server resident memory (peak)", 600.0, "MB"),
    ("first_answer_s", "start to first answer", 10.0, "s"),
    ("p50_1_ms", "webhook p50, 1 user", 10.0, "ms"),
    ("p95_1_ms", "webhook p95, 1 user", 30.0, "ms"),
    ("p95_16_ms", "webhook p95, 16 users without think time", 150.0, "ms"),
)


def cost_rows(mine: Dict[str, Optional[float]], previous: Dict[str, Optional[float]]) -> List[List[str]]:
    """Each cost target: the project's figure, the previous model's, their ratio and the verdict."""
    rows = []
    for key, label, target, unit in COST_TARGETS:
        value, before = mine.get(key), previous.get(key)
        if value is None:
            rows.append([label, "not measured", f"<= {target:g} {unit}", "-", "-", "n/a"])
            continue
        ratio = f"{value / before:.2f}" if before else "-"
        rows.append([label, f"{value:.1f} {unit}", f"<= {target:g} {unit}",
                     "-" if before is None else f"{before:.1f} {unit}", ratio,
                     "PASS" if value <= target else "FAIL"])
    return rows
