"""The blind-table scoring scripts: --quiet prints figures and never a sentence.

A blind table must stay unseen until its one scoring and after it until it is
brought in; Rasa's own logs printed every parsed text at DEBUG once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.servers import MODEL
from mfr.settings import PATHS

pytestmark = pytest.mark.model

EMERGENCY = "zqx my husband collapsed and will not wake up zqx"
NEGATIVE = "zqx what are the signs of a stroke in general zqx"


def score(script: str, table: Path) -> str:
    out = subprocess.run([sys.executable, str(PATHS.root / "scripts" / script), str(table), "--quiet",
                          "--model", str(MODEL)], capture_output=True, text=True, check=True, cwd=PATHS.root,
                         timeout=300)
    return out.stdout + out.stderr


def test_an_emergency_table_is_scored_without_its_sentences(tmp_path: Path) -> None:
    table = tmp_path / "table.yml"
    table.write_text(yaml.safe_dump({"version": 1, "cases": [
        {"text": EMERGENCY, "emergency": True, "kind": "unconscious", "style": "web"},
        {"text": NEGATIVE, "emergency": False, "kind": "none", "type": "question", "style": "web"},
    ]}), encoding="utf-8")
    printed = score("score_emergency_table.py", table)
    assert "emergencies 1, hard negatives 1" in printed
    assert "zqx" not in printed


def test_an_intent_table_is_scored_without_its_sentences(tmp_path: Path) -> None:
    table = tmp_path / "table.yml"
    table.write_text(yaml.safe_dump({"version": 1, "examples": [
        {"text": "zqx what is myofascial release exactly zqx", "intent": "what_is_mfr", "style": "web"},
        {"text": "zqx how does the therapist do it zqx", "intent": "how_it_works", "style": "phone"},
    ]}), encoding="utf-8")
    printed = score("score_intent_table.py", table)
    assert "accuracy" in printed
    assert "zqx" not in printed
