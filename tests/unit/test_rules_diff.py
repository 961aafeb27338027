"""The row-by-row comparison of two red-flag rule sets (evaluation/rules_diff.py)."""

from __future__ import annotations

from mfr.red_flags import RedFlagRules
from evaluation.rules_diff import changes, summary


def _rules(*patterns: str) -> RedFlagRules:
    return RedFlagRules({"negation_cues": ["no"], "clause_breaks": ["but"],
                         "flags": {"demo": {"description": "demo", "any_of": list(patterns)}}})


def test_only_rows_whose_verdict_changed_are_listed_with_their_direction() -> None:
    before, after = _rules("chest pain"), _rules("chest pain", "cannot breathe")
    rows = [
        ("t", "crushing chest pain", True),  # fires under both: not listed
        ("t", "I cannot breathe", True),  # now fires, as its label says
        ("t", "I cannot breathe for laughing", False),  # now fires against its label
        ("t", "a stiff neck", False),  # quiet under both
    ]
    found = changes(before, after, rows)
    assert [(c.text, c.toward) for c in found] == [("I cannot breathe", True), ("I cannot breathe for laughing", False)]
    assert summary(found, len(rows)) == "4 rows: 2 changed, 1 toward the label, 1 away"


def test_the_same_rules_written_with_a_word_list_change_nothing() -> None:
    listed = RedFlagRules({"negation_cues": ["no"], "clause_breaks": ["but"], "words": {"pain": ["pain", "ache"]},
                           "flags": {"demo": {"description": "demo", "any_of": ["chest {pain}"]}}})
    rows = [("t", "chest pain", True), ("t", "chest ache", True), ("t", "no chest pain", False),
            ("t", "back pain", False)]
    assert changes(_rules("chest (pain|ache)"), listed, rows) == []


def test_an_engine_loaded_from_source_is_compared_beside_the_current_one() -> None:
    # A change to the engine moves rows as a change to the rules file does, so the old side runs with its own engine.
    from pathlib import Path

    import mfr.red_flags as current
    from evaluation.rules_diff import engine_from_source

    source = Path(current.__file__).read_text(encoding="utf-8")
    same = engine_from_source(source)
    assert same is not current.RedFlagRules
    # An engine that never finds a negation: the same rules then fire on a denied symptom.
    blind_to_negation = engine_from_source(source.replace("    def _negated(self, text: str, start: int) -> bool:\n",
                                                          "    def _negated(self, text: str, start: int) -> bool:\n"
                                                          "        return False\n", 1))
    spec = {"negation_cues": ["no"], "clause_breaks": ["but"],
            "flags": {"demo": {"description": "demo", "any_of": ["chest pain"]}}}
    rows = [("t", "no chest pain", False), ("t", "crushing chest pain", True)]
    assert changes(same(spec), current.RedFlagRules(spec), rows) == []
    found = changes(blind_to_negation(spec), current.RedFlagRules(spec), rows)
    assert [(c.text, c.toward) for c in found] == [("no chest pain", True)]
