"""The repository is the whole product: nothing it runs reads outside the checkout."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

# A path that leaves the checkout: "../something", or Python's `ROOT.parent /`.
OUTSIDE = re.compile(r"\.\./(shared|datasets|article)|\.parent\s*/\s*[\"']shared[\"']|/work/shared")
CHECKED = (".py", ".sh", ".mjs", ".js", ".yml", ".yaml", ".toml", ".cfg")


def _tracked_files(root: Path) -> list[Path]:
    out = subprocess.run(["git", "ls-files"], cwd=root, capture_output=True, text=True, check=False)
    if out.returncode != 0:
        pytest.skip("not a git checkout")
    return [root / line for line in out.stdout.splitlines()]


def test_no_tracked_file_reads_outside_the_repository(root: Path) -> None:
    offenders = []
    for path in _tracked_files(root):
        if path.suffix not in CHECKED and path.name not in ("Makefile", "run"):
            continue
        if not path.is_file() or path.resolve() == Path(__file__).resolve():
            continue
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not offenders, "\n".join(offenders)


def test_the_data_the_tests_read_is_in_the_repository(root: Path) -> None:
    clinc = root / "datasets" / "clinc150"
    for name in ("train.tsv", "val.tsv", "oos_train.tsv", "oos_val.tsv", "LICENSE", "README.md"):
        assert (clinc / name).is_file(), name
    assert (root / "knowledge" / "article.txt").is_file()


def test_the_tsv_header_is_not_read_as_a_query() -> None:
    from evaluation.clinc import read_split

    for name in ("train.tsv", "val.tsv", "oos_train.tsv", "oos_val.tsv"):
        rows = read_split(name)
        assert ("text", "intent") not in rows, name
        assert rows and all(text and intent for text, intent in rows), name
