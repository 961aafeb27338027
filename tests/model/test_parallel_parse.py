"""The quality evaluation's parse on every core gives the parses of one process, in order."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from evaluation import quality as Q
from harness.servers import MODEL

pytestmark = pytest.mark.model

TEXTS = [
    "what is myofascial release?",
    "my chest is crushing and my left arm is numb",
    "can i do it at home with a foam roller",
    "no back pain, just a stiff neck",
    "what is myofascial release?",  # twice: the order and the duplicates must survive the split
    "is tesco open now",
    "um so how does the uh the release thing work",
]


def test_workers_give_the_same_parses_in_the_same_order(monkeypatch: pytest.MonkeyPatch) -> None:
    alone = asyncio.run(Q.parse_in_process(str(MODEL), TEXTS))
    monkeypatch.setattr(Q, "PARALLEL_FROM", 1)
    monkeypatch.setattr(Q, "usable_cores", lambda: 2)
    together = asyncio.run(Q.parse_all(str(MODEL), TEXTS))
    assert [p["text"] for p in together] == TEXTS
    assert together == alone


def test_a_failing_worker_stops_the_parse_with_an_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(Q, "PARALLEL_FROM", 1)
    monkeypatch.setattr(Q, "usable_cores", lambda: 2)
    with pytest.raises(RuntimeError, match="a parse worker failed"):
        asyncio.run(Q.parse_all(str(tmp_path / "no-such-model.tar.gz"), TEXTS))
