"""What a change to the red-flag rules does, row by row, before it lands.

    .venv/bin/python -m evaluation.rules_diff [--against REV]

Runs the rules alone (no learned detector) as they were at ``REV`` (default
HEAD), the rules file and the engine that reads it (``mfr/red_flags.py``)
both, and as they are in the working tree over every labelled row the project
may read: what the learned detector learns from (the emergency tables it has
seen, the development table, the training data), the current blind table
(never an unscored table), the registered blind intent tables and the
held-out NLU set. Prints each row whose verdict changed, marked TOWARD
(now agrees with its label) or AWAY, and the totals. A rules round should move
rows toward their labels only; a rewrite that means to change nothing (a word
list written once instead of twice) should change no row.
"""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, List, Sequence, Tuple, Type

import yaml

from mfr.red_flags import RULES_PATH, RedFlagRules
from mfr.settings import PATHS


@dataclass(frozen=True)
class Change:
    """A row whose verdict differs between the two rule sets."""

    source: str
    text: str
    emergency: bool
    fires_now: bool

    @property
    def toward(self) -> bool:
        """Whether the new verdict agrees with the row's label."""
        return self.fires_now == self.emergency


def changes(before: RedFlagRules, after: RedFlagRules,
            rows: Iterable[Tuple[str, str, bool]]) -> List[Change]:
    """Rows ``(source, text, emergency)`` on which ``before`` and ``after`` disagree."""
    out = []
    for source, text, emergency in rows:
        fires_before, fires_now = bool(before.detect(text)), bool(after.detect(text))
        if fires_before != fires_now:
            out.append(Change(source, text, emergency, fires_now))
    return out


def engine_from_source(source: str, name: str = "mfr_red_flags_before") -> Type[RedFlagRules]:
    """The ``RedFlagRules`` class of another version of ``mfr/red_flags.py``, loaded beside the current one.

    A change to how the rules are read (a cue's reach, a negation's scope) moves rows as a change to the rules file
    does, so both sides of the comparison are run with their own engine.
    """
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{name}.py"
        path.write_text(source, encoding="utf-8")
        spec = importlib.util.spec_from_file_location(name, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        # dataclasses look the module up while the class is built.
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        finally:
            del sys.modules[name]
    engine: Type[RedFlagRules] = module.RedFlagRules
    return engine


def _at(revision: str, path: str) -> str:
    return subprocess.run(["git", "show", f"{revision}:{path}"], cwd=PATHS.root, check=True,
                          capture_output=True, text=True).stdout


def labelled_rows() -> List[Tuple[str, str, bool]]:
    """Every labelled row the project may read, as ``(source, text, emergency)``.

    What the learned detector learns from (its own loader: the emergency tables it has seen, the development table
    and the NLU training data, each sentence once), the current blind table, and the held-out intent sentences.
    """
    from evaluation import emergency as E
    from evaluation import heldout as H
    from mfr import emergency_detector as D

    rows = [(e.source, e.text, e.emergency) for e in D.training_examples(include_validation=True)]
    blind = H.TEST_DATA / E.BLIND_TABLE
    if blind.exists():
        rows += [(E.BLIND_TABLE, r.text, r.emergency) for r in E.load_table(blind)]
    for name in H.BLIND_INTENT_TABLES:
        rows += [(name, c.text, c.intent == "emergency") for c in H.table_cases(H.TEST_DATA / name)]
    rows += [("heldout_nlu.yml", c.text, c.intent == "emergency") for c in H.nlu_cases(include_clinc=False)]
    return rows


def summary(found: Sequence[Change], total: int) -> str:
    """One line of totals."""
    toward = sum(c.toward for c in found)
    return f"{total} rows: {len(found)} changed, {toward} toward the label, {len(found) - toward} away"


def main() -> None:
    """Compares the rules at ``--against`` with the working tree's and prints the changed rows."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--against", default="HEAD", help="the git revision whose rules to compare with")
    args = parser.parse_args()
    old_rules = _at(args.against, RULES_PATH.relative_to(PATHS.root).as_posix())
    old_engine = engine_from_source(_at(args.against, "mfr/red_flags.py"))
    before, after = old_engine(yaml.safe_load(old_rules)), RedFlagRules.from_file()
    rows = labelled_rows()
    found = changes(before, after, rows)
    for c in found:
        print(f"{'TOWARD' if c.toward else 'AWAY  '} {'fires' if c.fires_now else 'quiet'}  {c.source}: {c.text}")
    print(summary(found, len(rows)))


if __name__ == "__main__":
    main()
