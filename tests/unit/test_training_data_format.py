"""Training files: every line of an ``examples`` block is an example.

Rasa reads an ``examples: |`` block as plain text: a YAML comment inside it
is not a comment but a line Rasa skips with a warning (or, starting with
"- ", an example). Comments belong above the intent.
"""

from __future__ import annotations

from pathlib import Path
from typing import List

import yaml

ROOT = Path(__file__).resolve().parents[2]


def stray_lines(path: Path) -> List[str]:
    """The lines of the file's ``examples`` blocks that are not ``- example``."""
    stray = []
    for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        name = item.get("intent") or item.get("lookup") or item.get("synonym")
        for line in str(item.get("examples") or "").splitlines():
            if line.strip() and not line.lstrip().startswith("- "):
                stray.append(f"{path.name}: {name}: {line!r}")
    return stray


def test_examples_blocks_hold_only_examples() -> None:
    files = sorted((ROOT / "data").rglob("*.yml"))
    assert len(files) > 5
    stray = [line for path in files for line in stray_lines(path)]
    assert not stray, "\n".join(stray)


def test_a_comment_inside_a_block_is_caught(tmp_path: Path) -> None:
    bad = tmp_path / "nlu.yml"
    bad.write_text('version: "3.1"\nnlu:\n- intent: greet\n  examples: |\n    - hi\n    # a note\n', encoding="utf-8")
    assert stray_lines(bad) == ["nlu.yml: greet: '# a note'"]
