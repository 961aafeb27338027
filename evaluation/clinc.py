"""CLINC150 queries labelled for what this assistant should do with them.

Training uses the train split (and oos_train); held-out evaluation uses only the
validation split (and oos_val), so the two never share a sentence.
"""

from __future__ import annotations

import csv
import random
from typing import Dict, List, Tuple

from mfr.settings import PATHS

# The repository's own copy (train and validation splits only, with the
# data set's licence and citation beside it in datasets/clinc150/).
CLINC_DIR = PATHS.clinc150
HEADER = ("intent", "text")

# CLINC intents that are small talk the assistant answers itself.
SMALL_TALK = {
    "greeting": "greet",
    "goodbye": "goodbye",
    "thank_you": "thanks",
    "are_you_a_bot": "bot_challenge",
    "what_can_i_ask_you": "help",
    "yes": "affirm",
    "no": "deny",
}
# Too ambiguous to label either way ("maybe", "i don't know").
SKIP = {"maybe"}


def label_for(clinc_intent: str) -> str | None:
    """The assistant's intent for a CLINC intent; everything else is out of scope."""
    if clinc_intent in SKIP:
        return None
    return SMALL_TALK.get(clinc_intent, "out_of_scope")


def read_split(name: str) -> List[Tuple[str, str]]:
    """(text, clinc_intent) rows of one TSV file; oos files get the intent 'oos'."""
    rows = []
    with open(CLINC_DIR / name, encoding="utf-8") as f:
        for row in csv.reader(f, delimiter="\t"):
            if tuple(cell.strip() for cell in row) == HEADER:
                continue
            if len(row) == 2:
                intent, text = row
                rows.append((text.strip(), intent.strip()))
            elif len(row) == 1:
                rows.append((row[0].strip(), "oos"))
    return rows


def sample(rows: List[Tuple[str, str]], per_intent: int, seed: int) -> Dict[str, List[str]]:
    """Up to ``per_intent`` texts of each CLINC intent, grouped by our label."""
    rng = random.Random(seed)
    by_clinc: Dict[str, List[str]] = {}
    for text, intent in rows:
        by_clinc.setdefault(intent, []).append(text)
    out: Dict[str, List[str]] = {}
    for intent in sorted(by_clinc):
        label = label_for(intent)
        if label is None:
            continue
        texts = by_clinc[intent][:]
        rng.shuffle(texts)
        out.setdefault(label, []).extend(texts[:per_intent])
    return out
