"""Held-out sentences that also stand in what the models learn from.

A held-out figure means something only when the sentences it is measured on
were not learned: a copy (exact, the same after lower-casing and stripping
punctuation, or nearly the same) is predicted right for free. This module
lists every such pair; tests/unit/test_heldout_is_held_out.py fails on any.

What counts as learned: Rasa's NLU training data (data/), the learned emergency
detector's material (detection/emergency_examples/, the red-flag tuning table
and the emergency tables it trains on after their first use). What counts as
held out: tests/data/heldout_nlu.yml, conversations.yml, the test stories,
the slot tables, the blind emergency table and the blind intent table.

    .venv/bin/python -m evaluation.overlap        # prints every overlapping pair
    .venv/bin/python -m evaluation.overlap --drop tests/data/blind_emergencies.yml
        # a newly registered table: rewrites it without its rows that copy training
"""

from __future__ import annotations

import argparse
import re
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Dict, Iterable, List, Sequence, Tuple

import yaml

from evaluation.heldout import BLIND_INTENT_TABLES
from mfr.data_files import read_yaml
from mfr.emergency_detector import SEEN_TABLES
from mfr.settings import PATHS, Paths

# Two sentences at this difflib ratio or above (after normalising) are the same sentence.
NEAR = 0.9
# A reply of one or two words ("no", "ok thanks", "hi there") cannot be written
# apart from training: there are only so many ways to say it, and a model that
# had never seen "no" would be the worse for it. Longer sentences must differ.
FORMULAIC_WORDS = 2
# Rasa's inline entity annotations: [text](entity), [text]{"entity": ...}, [text][...].
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\}|\[[^\]]*\])")


@dataclass(frozen=True)
class Sentence:
    """One sentence and where it stands."""

    text: str
    source: str  # "file.yml" or "file.yml:intent / story / conversation"

    @property
    def file(self) -> str:
        """The file the sentence stands in."""
        return self.source.split(":")[0]


@dataclass(frozen=True)
class Overlap:
    """A held-out sentence and the learned sentence it copies."""

    held_out: Sentence
    learned: Sentence
    kind: str  # "exact", "normalised" or "near (0.93)"


def normalise(text: str) -> str:
    """Lower case, accents and punctuation and emoji dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return " ".join(re.sub(r"[^a-z0-9 ]+", " ", text.replace("'", "")).split())


def strip_annotations(text: str) -> str:
    """An NLU example's text without its entity annotations."""
    return _ANNOTATION.sub(r"\1", text)


def _nlu_examples(path: Path) -> Iterable[Sentence]:
    doc = read_yaml(path) or {}
    for item in doc.get("nlu") or []:
        kind = item.get("intent") or item.get("synonym") or item.get("lookup") or item.get("regex")
        for line in str(item.get("examples") or "").splitlines():
            line = line.strip()
            if line.startswith("- "):
                yield Sentence(strip_annotations(line[2:].strip()), f"{path.name}:{kind}")


def _table_texts(path: Path, key: str = "cases") -> Iterable[Sentence]:
    if not path.exists():
        return
    for case in (read_yaml(path) or {}).get(key) or []:
        yield Sentence(str(case["text"]), path.name)


def learned(paths: Paths = PATHS) -> List[Sentence]:
    """Every sentence a model of the project learns from."""
    out: List[Sentence] = []
    for path in sorted(paths.data.rglob("*.yml")):
        out += _nlu_examples(path)
    for path in sorted(paths.emergency_examples.glob("*.yml")):
        out += _table_texts(path)
    out += _table_texts(paths.red_flags_dev)
    for name in SEEN_TABLES:
        out += _table_texts(paths.test_data / name)
    return out


def _story_user_texts(path: Path) -> Iterable[Sentence]:
    for story in (read_yaml(path) or {}).get("stories") or []:
        for step in story.get("steps") or []:
            if "user" in step:
                yield Sentence(strip_annotations(str(step["user"]).strip()), f"{path.name}:{story.get('story')}")


def held_out(paths: Paths = PATHS) -> List[Sentence]:
    """Every sentence a held-out figure is measured on."""
    out: List[Sentence] = list(_table_texts(paths.test_data / "heldout_nlu.yml", key="examples"))
    for conversation in (read_yaml(paths.test_data / "conversations.yml") or {}).get("conversations") or []:
        out += [Sentence(str(t["user"]), f"conversations.yml:{conversation['name']}")
                for t in conversation["turns"] if isinstance(t.get("user"), str)]
    out += _story_user_texts(paths.root / "tests" / "test_stories.yml")
    for name in ("slots.yml", "blind_slots.yml", "blind_emergencies.yml"):
        out += _table_texts(paths.test_data / name)
    for name in BLIND_INTENT_TABLES:
        out += _table_texts(paths.test_data / name, key="examples")
    return out


def overlaps(held: Sequence[Sentence], train: Sequence[Sentence], near: float = NEAR) -> List[Overlap]:
    """Every held-out sentence that is the same as, or nearly the same as, a learned one.

    Formulaic replies of at most FORMULAIC_WORDS words are left out.

    Candidates come from a character n-gram index (scikit-learn's nearest
    neighbours by cosine), so that each held-out sentence is compared with
    its closest learned sentences only; difflib's ratio decides.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.neighbors import NearestNeighbors

    exact: Dict[str, Sentence] = {}
    by_norm: Dict[str, Sentence] = {}
    for s in train:
        exact.setdefault(s.text.strip(), s)
        by_norm.setdefault(normalise(s.text), s)
    found: List[Overlap] = []
    rest: List[Sentence] = []
    for h in held:
        if len(normalise(h.text).split()) <= FORMULAIC_WORDS:
            continue
        if h.text.strip() in exact:
            found.append(Overlap(h, exact[h.text.strip()], "exact"))
        elif normalise(h.text) in by_norm and normalise(h.text):
            found.append(Overlap(h, by_norm[normalise(h.text)], "normalised"))
        else:
            rest.append(h)
    keys = [k for k in by_norm if k]
    if not rest or not keys:
        return found
    vectoriser = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 4)).fit(keys)
    # 30 candidates, not 5: with 5, a near copy ("help with fibromyalgia" ~ "help with fibro") fell out of the
    # candidates when other sentences were added, and the check passed on tables that held it.
    index = NearestNeighbors(n_neighbors=min(30, len(keys)), metric="cosine").fit(vectoriser.transform(keys))
    _, neighbours = index.kneighbors(vectoriser.transform([normalise(h.text) for h in rest]))
    for h, row in zip(rest, neighbours, strict=True):
        target = normalise(h.text)
        best: Tuple[float, str] = max((_ratio_if_near(target, keys[i], near), keys[i]) for i in row)
        if best[0] >= near:
            found.append(Overlap(h, by_norm[best[1]], f"near ({best[0]:.2f})"))
    return found


def _ratio_if_near(a: str, b: str, near: float) -> float:
    """The difflib ratio of a and b when it can reach `near`, else 0.

    real_quick_ratio and quick_ratio are upper bounds of ratio (difflib's documentation) and far cheaper;
    most candidates fail them, which took this check from about 50 s to a few.
    """
    matcher = SequenceMatcher(None, a, b)
    if matcher.real_quick_ratio() < near or matcher.quick_ratio() < near:
        return 0.0
    return matcher.ratio()


def summary(found: Sequence[Overlap]) -> Dict[str, Any]:
    """Counts by held-out file and by kind."""
    by_file = dict(Counter(o.held_out.file for o in found))
    by_kind = dict(Counter(o.kind.split(" ")[0] for o in found))
    return {"total": len(found), "by_file": by_file, "by_kind": by_kind}


def drop_rows(path: Path, texts: Iterable[str]) -> int:
    """Rewrites a table (one `- {text: ...}` row per line, indented or not) without the rows whose text is in `texts`.

    Line by line, so that the file's header comments and layout stay as written.
    Returns how many rows went.
    """
    unwanted = set(texts)
    kept: List[str] = []
    dropped = 0
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.lstrip().startswith("- {"):
            row = yaml.safe_load(line.lstrip())[0]
            if str(row.get("text")) in unwanted:
                dropped += 1
                continue
        kept.append(line)
    path.write_text("".join(kept), encoding="utf-8")
    return dropped


def main(argv: Sequence[str] | None = None) -> int:
    """Prints every overlapping pair and the counts; 1 when there is any (0 after --drop)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--drop", type=Path, metavar="FILE",
                        help="a held-out table: rewrite it without its rows that copy training")
    args = parser.parse_args(argv)
    found = overlaps(held_out(), learned())
    if args.drop is not None:
        mine = [o for o in found if o.held_out.file == args.drop.name]
        print(f"{args.drop}: dropped {drop_rows(args.drop, (o.held_out.text for o in mine))} rows")
        found = [o for o in found if o not in mine]
    for o in found:
        print(f"{o.kind:<12} {o.held_out.source}: {o.held_out.text!r}\n{'':<12} {o.learned.source}: {o.learned.text!r}")
    print(summary(found))
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
