"""The benchmark's smoke run, so `make bench` cannot rot.

Runs `python -m bench --smoke` exactly as a developer would: a few held-out
questions through the project model and the TF-IDF peer, both real servers,
about 2 s of load at 1 and 4 concurrent users. Then checks what it wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.model, pytest.mark.integration]


@pytest.fixture(scope="module")
def smoke(tmp_path_factory: pytest.TempPathFactory) -> Tuple[Path, Dict[str, Any], str]:
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--smoke", "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False,
    )
    assert proc.returncode == 0, f"stdout:\n{proc.stdout[-3000:]}\nstderr:\n{proc.stderr[-3000:]}"
    return out, json.loads((out / "benchmark.json").read_text()), proc.stdout


def test_report_is_written_with_its_sections(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    out, _, _ = smoke
    md = (out / "benchmark.md").read_text()
    for heading in ("## Summary: targets", "## Peers side by side", "### Intents", "### Emergencies", "### Slots",
                    "### Out of scope", "### Robustness", "### Dialogue", "### Latency under load", "## Machine"):
        assert heading in md, heading
    assert "SMOKE RUN" in md
    for png in ("confusion_matrix.png", "latency_histogram.png", "peers.png"):
        assert (out / png).stat().st_size > 5_000, png
        assert f"]({png})" in md


def test_summary_table_is_printed(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    _, _, stdout = smoke
    assert "Benchmark summary (SMOKE)" in stdout
    assert "project (models/mfr.tar.gz)" in stdout
    assert "POST /webhooks/rest/webhook" in stdout


def test_load_levels_have_positive_latencies_and_no_errors(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    _, report, _ = smoke
    levels = report["live"]["load"]
    seen = {(lv["target"].split()[0], lv["users"]) for lv in levels}
    assert seen == {("floor:", 1), ("floor:", 4), ("POST", 1), ("POST", 4)}
    for lv in levels:
        assert lv["errors"] == 0, lv
        assert lv["requests_ok"] > 0, lv
        assert lv["throughput_msg_s"] > 0, lv
        assert 0 < lv["p50_ms"] <= lv["p95_ms"] <= lv["p99_ms"] <= lv["max_ms"], lv
    webhook_1 = next(lv for lv in levels if lv["target"].startswith("POST") and lv["users"] == 1)
    floor_1 = next(lv for lv in levels if lv["target"].startswith("floor") and lv["users"] == 1)
    assert webhook_1["p50_ms"] > floor_1["p50_ms"], "the assistant's path costs more than the HTTP floor"


def test_servers_start_and_memory_is_measured(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    _, report, _ = smoke
    live = report["live"]
    assert live["first_answer_ok"]
    assert 0 < live["ready_s"] <= live["first_answer_s"]
    assert live["rss_after_warmup_mb"]["rasa"] > 100
    assert live["rss_after_warmup_mb"]["actions"] > 10
    conv = live["conversations"]
    assert conv["n_conversations"] > 0 and 0 <= conv["turn_accuracy"] <= 1


def test_project_model_figures_are_present(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    _, report, _ = smoke
    q = report["quality"]["project"]
    assert q["intent"]["n"] > 0 and 0 < q["intent"]["accuracy"] <= 1
    from evaluation.emergency import tables

    assert set(q["emergency"]) == set(tables())
    for variants in q["emergency"].values():
        assert set(variants) == {"model", "rules", "learned", "both"}
    assert set(q["slots"]) == {"slots.yml", "blind_slots.yml"}
    assert q["scope"]["oos_n"] > 0 and q["scope"]["in_scope_n"] > 0
    assert 0 < report["parse_latency_ms"]["project"]["p50"] <= report["parse_latency_ms"]["project"]["p95"]
    project = next(r for r in report["peers"] if r["model"].startswith("project"))
    tfidf = next(r for r in report["peers"] if r["model"].startswith("TF-IDF"))
    for row in (project, tfidf):
        assert 0 < row["intent_accuracy"] <= 1, row
        assert row["parse_p50_ms"] > 0, row
        assert row["model_bytes"] > 0, row
    robust = report["robustness"]
    assert set(next(iter(robust.values()))["accuracy"]) >= {"original", "typos (seeded swaps/drops)", "lower-cased"}


def test_the_rasa_server_is_profiled_or_says_why_not(smoke: Tuple[Path, Dict[str, Any], str]) -> None:
    out, report, _ = smoke
    profile = report["live"]["profile"]
    assert profile["users"] == 4 and profile["throughput_msg_s"] > 0
    md = (out / "benchmark.md").read_text()
    assert "### Where the Rasa server's time goes" in md
    if "error" in profile:  # e.g. no ptrace permission on this machine: the report must say so
        assert f"Not profiled: {profile['error']}" in md
        return
    assert profile["samples"] > 0
    assert abs(sum(profile["shares"].values()) - 1) < 1e-6
    # A message's path always passes the NLU pipeline and the tracker store.
    nlu = ("NLU: spaCy, featurizers, our components", "NLU: intent classifier")
    assert sum(profile["shares"].get(part, 0) for part in nlu) > 0
    assert profile["shares"].get("tracker store (SQLAlchemy + SQLite)", 0) > 0
