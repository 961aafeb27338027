"""Held-out data stays held out: no test sentence also stands in what the models learn from."""

from __future__ import annotations

from pathlib import Path
from typing import List

import pytest

from evaluation.heldout import BLIND_INTENT_TABLES
from evaluation.overlap import (FORMULAIC_WORDS, Sentence, drop_rows, held_out, learned, normalise, overlaps,
                                strip_annotations)
from mfr.data_files import read_yaml


@pytest.fixture(scope="module")
def held() -> List[Sentence]:
    return held_out()


@pytest.fixture(scope="module")
def train() -> List[Sentence]:
    return learned()


def test_no_held_out_sentence_is_a_copy_of_a_learned_one(held: List[Sentence], train: List[Sentence]) -> None:
    found = overlaps(held, train)
    listing = "\n".join(f"{o.kind}: {o.held_out.source} {o.held_out.text!r} ~ {o.learned.source} {o.learned.text!r}"
                        for o in found)
    assert not found, f"{len(found)} held-out sentences are also learned (python -m evaluation.overlap):\n{listing}"


def test_every_held_out_file_is_read(held: List[Sentence], train: List[Sentence]) -> None:
    # The check above means nothing if a file silently yields no sentences.
    files = {s.file for s in held}
    assert {"heldout_nlu.yml", "conversations.yml", "test_stories.yml", "slots.yml", "blind_slots.yml",
            "blind_emergencies.yml", *BLIND_INTENT_TABLES} <= files
    assert len(train) > 3000


def test_exact_normalised_and_near_copies_are_all_caught() -> None:
    train = [Sentence("What is myofascial release?", "nlu.yml:what_is_mfr"),
             Sentence("my shoulder has been stiff since tuesday morning", "nlu.yml:inform")]
    held = [Sentence("What is myofascial release?", "a"),            # exact
            Sentence("what is MYOFASCIAL release", "b"),              # same after normalising
            Sentence("my shoulder has been stiff since tuesday am", "c"),  # near
            Sentence("does it hurt afterwards", "d")]                 # different
    kinds = {o.held_out.source: o.kind.split(" ")[0] for o in overlaps(held, train)}
    assert kinds == {"a": "exact", "b": "normalised", "c": "near"}


def test_short_formulaic_replies_are_not_counted() -> None:
    train = [Sentence("ok thanks", "smalltalk.yml:thanks"), Sentence("thanks a lot for that", "x")]
    held = [Sentence("ok thanks", "a"), Sentence("thanks a lot for that", "b")]
    assert [o.held_out.source for o in overlaps(held, train)] == ["b"]
    assert len(normalise("ok thanks").split()) <= FORMULAIC_WORDS


def test_annotations_and_punctuation_do_not_hide_a_copy() -> None:
    assert strip_annotations("I have [osteoporosis](risk_factor) too") == "I have osteoporosis too"
    assert normalise("Don't   bruise, EASILY!") == "dont bruise easily"


def test_dropping_rows_keeps_the_tables_header_and_other_rows(tmp_path: Path) -> None:
    table = tmp_path / "table.yml"
    table.write_text(
        "# Written by a helper who saw only the brief.\nversion: 1\ncases:\n"
        '- {text: "my chest is crushing me", emergency: true, kind: chest_pain, style: web}\n'
        '- {text: "can I book a session, my back aches", emergency: false, kind: hard_negative, style: web}\n'
        '- {text: "he is not breathing!!", emergency: true, kind: breathing, style: messaging}\n',
        encoding="utf-8")
    assert drop_rows(table, ["he is not breathing!!", "a sentence the table does not hold"]) == 1
    text = table.read_text(encoding="utf-8")
    assert text.startswith("# Written by a helper who saw only the brief.\nversion: 1\ncases:\n")
    assert [c["text"] for c in read_yaml(table)["cases"]] == ["my chest is crushing me",
                                                              "can I book a session, my back aches"]


def test_dropping_rows_of_an_indented_intent_table(tmp_path: Path) -> None:
    table = tmp_path / "intents.yml"
    table.write_text('version: 1\nexamples:\n  - {text: "what is mfr", intent: what_is_mfr, style: web}\n'
                     '  - {text: "is it safe", intent: risks, style: messaging}\n', encoding="utf-8")
    assert drop_rows(table, ["is it safe"]) == 1
    assert [e["text"] for e in read_yaml(table)["examples"]] == ["what is mfr"]
