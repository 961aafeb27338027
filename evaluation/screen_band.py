"""Who sits in the learned emergency detector's screen band with no rule behind them.

    .venv/bin/python -m evaluation.screen_band

The evidence behind mfr.safety.LOW_SCREEN_SCORE. For every registered blind
intent table row (ordinary questions) and every emergency table row that no
rule matched and that the learned detector scores in its screen band (at or
over the screen threshold, under the emergency one), it counts by score:
questions the intent classifier is at least SURE_OTHER_INTENT sure of
(LOW_SCREEN_SCORE spares them the screen question below it), and emergencies,
split into the tables the detector learns from and those it does not (the
validation table and the current blind table), whose scores are the honest
ones. Needs a trained model (`make train`) and the detector (`make detector`).
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from evaluation import emergency as E
from evaluation import heldout as H
from evaluation.quality import parse_all, quiet_rasa_logs
from mfr import safety
from mfr.emergency_detector import VALIDATION_TABLE
from mfr.settings import PATHS

UNLEARNED = (VALIDATION_TABLE, E.BLIND_TABLE)


def band_score(parse: Mapping[str, Any]) -> Optional[float]:
    """The learned score of a message in the band with no rule matched, else None."""
    detection = parse.get("emergency_detection") or {}
    learned = detection.get("learned") or {}
    score, thresholds = learned.get("score"), learned.get("thresholds") or {}
    if score is None or detection.get("rules") or not thresholds:
        return None
    return score if thresholds["screen"] <= score < thresholds["emergency"] else None


def top_ordinary(parse: Mapping[str, Any]) -> Tuple[str, float]:
    """The intent classifier's most likely intent other than the safety ones, with its confidence."""
    ranking = [r for r in parse.get("intent_ranking") or [] if r["name"] not in (E.EMERGENCY_INTENT, E.SCREEN_INTENT)]
    return (ranking[0]["name"], float(ranking[0]["confidence"])) if ranking else ("", 0.0)


def bucket(score: float) -> str:
    """The score's tenth, as "0.3-0.4"."""
    lo = math.floor(score * 10) / 10
    return f"{lo:.1f}-{lo + 0.1:.1f}"


def count(rows: Sequence[Tuple[str, float, str]]) -> Dict[str, int]:
    """Rows per score bucket."""
    return dict(sorted(Counter(bucket(score) for _, score, _ in rows).items()))


def main() -> None:
    """Parses every row once and prints the counts and the rows."""
    quiet_rasa_logs()
    model = str(PATHS.root / "models" / "mfr.tar.gz")
    questions = [(c.text, name) for name in H.BLIND_INTENT_TABLES
                 for c in H.table_cases(H.TEST_DATA / name)]
    emergencies = [(r.text, name) for name, rows in E.tables().items() for r in rows if r.emergency]
    parses = asyncio.run(parse_all(model, [t for t, _ in questions + emergencies]))
    sure: List[Tuple[str, float, str]] = []
    for (text, _), parse in zip(questions, parses[: len(questions)], strict=True):
        score, (intent, confidence) = band_score(parse), top_ordinary(parse)
        if score is not None and confidence >= safety.SURE_OTHER_INTENT:
            sure.append((text, score, intent))
    learned: List[Tuple[str, float, str]] = []
    unlearned: List[Tuple[str, float, str]] = []
    for (text, name), parse in zip(emergencies, parses[len(questions):], strict=True):
        score = band_score(parse)
        if score is not None:
            (unlearned if name in UNLEARNED else learned).append((text, score, name))
    print(f"LOW_SCREEN_SCORE {safety.LOW_SCREEN_SCORE}, SURE_OTHER_INTENT {safety.SURE_OTHER_INTENT}")
    print(f"questions in the band, no rule, classifier sure ({len(questions)} rows of "
          f"{len(H.BLIND_INTENT_TABLES)} intent tables): {count(sure)}")
    for text, score, intent in sorted(sure, key=lambda r: r[1]):
        print(f"  {score:.3f} {intent}: {text}")
    print(f"emergencies in the band, no rule, tables the detector does not learn from {UNLEARNED}: "
          f"{count(unlearned)}")
    for text, score, name in sorted(unlearned, key=lambda r: r[1]):
        print(f"  {score:.3f} {name}: {text}")
    print(f"emergencies in the band, no rule, tables it learns from: {count(learned)}")
    for text, score, name in sorted(learned, key=lambda r: r[1]):
        print(f"  {score:.3f} {name}: {text}")


if __name__ == "__main__":
    main()
