"""Emergency tables: what the assistant did with each row, per kind and style (pure).

A row is an emergency (`emergency: true`, with its `kind`) or a hard negative
(`emergency: false`, with a `type`). For each row the assistant either gave
the emergency reply, asked the red-flag screen question, or answered as
usual; the report counts each outcome overall, per kind, per style and per
negative type, and lists every emergency that did not get the reply with what
each detector said about it.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

from mfr.data_files import read_yaml
from mfr.emergency_detector import SEEN_TABLES
from mfr.settings import PATHS

EMERGENCY = "emergency"
SCREEN = "screen"
ANSWER = "answer"
EMERGENCY_INTENT = "emergency"
SCREEN_INTENT = "red_flag_screen"


@dataclass(frozen=True)
class Row:
    """One row of an emergency table."""

    text: str
    emergency: bool
    kind: str
    style: str
    type: str


def load_table(path: Path) -> List[Row]:
    """Reads a table; older tables name the kind `flag` and have no style."""
    cases = read_yaml(path)["cases"]
    rows = []
    for c in cases:
        emergency = bool(c["emergency"])
        kind = c.get("kind") or c.get("flag") or ("unknown" if emergency else "none")
        style = {"telegram": "messaging"}.get(c.get("style", "web"), c.get("style", "web"))
        rows.append(Row(str(c["text"]), emergency, str(kind), style, str(c.get("type") or c.get("note") or "")))
    return rows


def decision_of(parse: Mapping[str, Any]) -> str:
    """What the assistant does with a parsed message: reply, screen or answer."""
    name = (parse.get("intent") or {}).get("name")
    if name == EMERGENCY_INTENT:
        return EMERGENCY
    if name == SCREEN_INTENT:
        return SCREEN
    return ANSWER


def _rate(flags: Sequence[bool]) -> Optional[float]:
    return sum(flags) / len(flags) if flags else None


def _grouped(rows: Iterable[Row], decisions: Iterable[str], key: Callable[[Row], str],
             wanted: Sequence[str]) -> Dict[str, Dict[str, Any]]:
    groups: Dict[str, List[str]] = defaultdict(list)
    for row, d in zip(rows, decisions, strict=True):
        groups[key(row)].append(d)
    return {
        k: {"n": len(v), "rate": _rate([d in wanted for d in v])}
        for k, v in sorted(groups.items())
    }


def report(rows: Sequence[Row], decisions: Sequence[str],
           details: Optional[Sequence[Mapping[str, Any]]] = None) -> Dict[str, Any]:
    """Recall of the emergency reply (and of reply or screen), false alarms and screens."""
    details = details or [{} for _ in rows]
    pos = [(r, d, x) for r, d, x in zip(rows, decisions, details, strict=True) if r.emergency]
    neg = [(r, d, x) for r, d, x in zip(rows, decisions, details, strict=True) if not r.emergency]
    pos_rows, pos_d = [r for r, _, _ in pos], [d for _, d, _ in pos]
    neg_rows, neg_d = [r for r, _, _ in neg], [d for _, d, _ in neg]
    return {
        "positives": len(pos),
        "negatives": len(neg),
        "reply_recall": _rate([d == EMERGENCY for d in pos_d]),
        "reply_or_screen_recall": _rate([d in (EMERGENCY, SCREEN) for d in pos_d]),
        "negative_reply_rate": _rate([d == EMERGENCY for d in neg_d]),
        "negative_screen_rate": _rate([d == SCREEN for d in neg_d]),
        "per_kind": _grouped(pos_rows, pos_d, lambda r: r.kind, (EMERGENCY,)),
        "per_style": _grouped(pos_rows, pos_d, lambda r: r.style, (EMERGENCY,)),
        "negatives_per_style": _grouped(neg_rows, neg_d, lambda r: r.style, (EMERGENCY,)),
        "negatives_per_type": {
            t: {"n": v["n"], "reply": v["rate"],
                "screen": _grouped([r for r in neg_rows if r.type == t],
                                   [d for r, d in zip(neg_rows, neg_d, strict=True) if r.type == t],
                                   lambda r: "all", (SCREEN,))["all"]["rate"]}
            for t, v in _grouped(neg_rows, neg_d, lambda r: r.type, (EMERGENCY,)).items()
        },
        "misses": [
            {"text": r.text, "kind": r.kind, "style": r.style, "decision": d, "detectors": dict(x)}
            for r, d, x in pos if d != EMERGENCY
        ],
        "false_alarms": [
            {"text": r.text, "type": r.type, "style": r.style, "detectors": dict(x)}
            for r, d, x in neg if d == EMERGENCY
        ],
        "screened_negatives": [
            {"text": r.text, "type": r.type, "style": r.style, "detectors": dict(x)}
            for r, d, x in neg if d == SCREEN
        ],
    }


def pct(x: Optional[float]) -> str:
    """A rate as a percentage with one decimal, or a dash."""
    return "-" if x is None else f"{100 * x:.1f} %"


def summary_lines(name: str, r: Mapping[str, Any]) -> List[str]:
    """A short text summary of one table's report."""
    lines = [
        f"{name}: emergencies {r['positives']}, hard negatives {r['negatives']}",
        f"  emergency reply {pct(r['reply_recall'])}, reply or screen {pct(r['reply_or_screen_recall'])}; "
        f"hard negatives: reply {pct(r['negative_reply_rate'])}, screen {pct(r['negative_screen_rate'])}",
        "  per style (reply): " + ", ".join(f"{k} {pct(v['rate'])} (n={v['n']})" for k, v in r["per_style"].items()),
        "  per kind (reply): " + ", ".join(f"{k} {pct(v['rate'])}/{v['n']}" for k, v in r["per_kind"].items()),
    ]
    return lines


# ---------------------------------------------------------------- the tables and the detectors alone

TEST_DATA = PATHS.test_data
# Every emergency table, oldest first. red_flags.yml was tuned on; each
# red_flags_seen*.yml was a blind table until its first use; the last one,
# when present, is the current blind table (scored once, at its first use).
BLIND_TABLE = "blind_emergencies.yml"
TABLES = (*SEEN_TABLES, BLIND_TABLE)


def tables() -> Dict[str, List[Row]]:
    """The emergency tables that exist in this checkout."""
    return {name: load_table(TEST_DATA / name) for name in TABLES if (TEST_DATA / name).exists()}


def newest_table(names: Iterable[str]) -> str:
    """The most recent table among ``names`` (the blind one when present)."""
    present = [n for n in TABLES if n in set(names)]
    return present[-1]


@functools.lru_cache(maxsize=1)
def _detector_tools() -> Tuple[Any, Any, Any]:
    """The learned detector, the person and body words and the slot pipeline, loaded once.

    Not once a table: about 0.8 s each, and the quality test reads 30 tables.
    """
    from mfr import emergency_detector, safety
    from mfr.medical_entities import build_pipeline

    return emergency_detector.load(), safety.default_kinds(), build_pipeline()


def detector_decisions(rows: Sequence[Row]) -> Dict[str, Any]:
    """Each detector alone and both together (mfr.safety.decide), without the intent classifier.

    Returns decisions and details per variant: `rules` (red-flag rules alone),
    `learned` (the learned detector alone, with its screen) and `both`.
    """
    from mfr import safety
    from mfr.medical_entities import analyse
    from mfr.red_flags import detect_red_flags, negated_red_flags, ordinary_causes

    detector, kinds, nlp = _detector_tools()
    te, ts = detector.thresholds.emergency, detector.thresholds.screen
    scores = detector.scores([r.text for r in rows])
    out: Dict[str, Any] = {"rules": ([], []), "learned": ([], []), "both": ([], [])}
    for row, score in zip(rows, scores, strict=True):
        matches = detect_red_flags(row.text)
        flags = [m.flag for m in matches]
        learned = EMERGENCY if score >= te else SCREEN if score >= ts else ANSWER
        denied = negated_red_flags(row.text) if not matches else []
        ordinary = ordinary_causes(row.text) if not matches else []
        # As SafetyOverride reads it: no person or part of a body named, no symptom or risk factor mentioned.
        about_nobody = kinds.names_nobody(row.text) and not analyse(row.text, nlp)
        kind = detector.kind(row.text) if ts <= score < te else None
        both = safety.decide(matches, float(score), (te, ts), kind, denied=denied, ordinary_cause=ordinary,
                             about_nobody=about_nobody).decision
        both = {safety.EMERGENCY: EMERGENCY, safety.SCREEN: SCREEN}.get(both, ANSWER)
        detail = {"rules": flags, "learned_score": round(float(score), 3)}
        for name, decision in (("rules", EMERGENCY if flags else ANSWER), ("learned", learned), ("both", both)):
            out[name][0].append(decision)
            out[name][1].append(detail)
    return out


def per_kind_table(reports: Mapping[str, Mapping[str, Any]]) -> List[List[str]]:
    """Rows of kind, then each variant's reply recall on that kind (with n)."""
    kinds = sorted({k for r in reports.values() for k in r["per_kind"]})
    rows = []
    for kind in kinds:
        row = [kind]
        for r in reports.values():
            v = r["per_kind"].get(kind)
            row.append("-" if v is None else f"{pct(v['rate'])} of {v['n']}")
        rows.append(row)
    return rows
