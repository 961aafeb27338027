"""The held-out quality figures of a trained model (shared by tests and scripts)."""

from __future__ import annotations

import asyncio
import os
import pickle
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List

from evaluation import emergency as E
from evaluation import heldout as H
from mfr.medical_entities import Lexicon, affirmed_ids, analyse, build_pipeline
from mfr.settings import ROOT


def quiet_rasa_logs() -> None:
    """Rasa's structured and standard logs at WARNING.

    Unconfigured, Rasa's structlog prints every parsed text at DEBUG: the
    scoring of a blind table that must stay unseen would show its sentences.
    """
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


# Below this many texts a worker's start (Rasa's imports and the model load, about 10 s) costs more than it saves.
PARALLEL_FROM = 2000
# Each worker holds the model (about 500 MB); the held-out set is parsed on every core up to this many.
MAX_WORKERS = 4


async def parse_in_process(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Parses every text with the trained model, in this process (Rasa's logs quiet)."""
    from rasa.core.agent import Agent

    quiet_rasa_logs()

    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


async def parse_all(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Parses every text with the trained model, in order; a long list on every core.

    A parse is about 10 ms of one core's time and the held-out set is over 20,000 texts, so the quality
    test spent most of its time here on one of the machine's two cores. Each worker is a fresh
    `python -m evaluation.quality` process (not multiprocessing, which re-imports the caller's main script)
    that loads the same model and runs `parse_in_process`, so the parses are the same.
    """
    workers = min(usable_cores(), MAX_WORKERS)
    if workers < 2 or len(texts) < PARALLEL_FROM:
        return await parse_in_process(model, texts)
    size = -(-len(texts) // workers)
    chunks = [texts[i:i + size] for i in range(0, len(texts), size)]
    with tempfile.TemporaryDirectory(prefix="parse-") as tmp:
        procs = []
        for n, chunk in enumerate(chunks):
            inp, out = Path(tmp) / f"{n}.in", Path(tmp) / f"{n}.out"
            inp.write_bytes(pickle.dumps(chunk))
            # Its log to a file, not a pipe: a pipe nobody reads yet could fill and stall the worker.
            with open(Path(tmp) / f"{n}.log", "wb") as log:
                procs.append((out, log.name, subprocess.Popen(
                    [sys.executable, "-m", "evaluation.quality", str(Path(model).resolve()), str(inp), str(out)],
                    cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)))
        parsed: List[Dict[str, Any]] = []
        try:
            for out, log_name, proc in procs:
                if proc.wait() != 0:
                    tail = Path(log_name).read_text(errors="replace")[-3000:]
                    raise RuntimeError(f"a parse worker failed ({proc.returncode}):\n{tail}")
                parsed += pickle.loads(out.read_bytes())
        finally:
            # After a failure, the other workers would go on parsing into a folder that is about to go.
            for _, _, proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
    return parsed


def usable_cores() -> int:
    """The cores this process may run on (a container's CPU set, not the host's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def slot_alternatives(cases: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Slot F1 of the lemma rules against exact-form rules and no negation handling."""
    lexicon = Lexicon.load()
    lemma_nlp, exact_nlp = build_pipeline(lexicon), build_pipeline(lexicon, attr="LOWER")
    no_negation = Lexicon({**lexicon.spec, "negation_cues": [], "effect_cues": []})
    variants = {
        "spaCy lemma rules + negation (ours)": lambda t: analyse(t, lemma_nlp, lexicon),
        "exact word forms + negation": lambda t: analyse(t, exact_nlp, lexicon),
        "spaCy lemma rules, no negation": lambda t: analyse(t, lemma_nlp, no_negation),
    }
    out = {}
    for name, fn in variants.items():
        predicted = []
        for case in cases:
            mentions = fn(case["text"])
            predicted.append(
                {"symptoms": set(affirmed_ids(mentions, "symptom")),
                 "risk_factors": set(affirmed_ids(mentions, "risk_factor"))}
            )
        report = H.slot_report(cases, predicted)
        out[name] = {"f1": report["all.both"].f1, "negation_f1": report["negation.both"].f1,
                     "negation_false_fills": report["negation_false_fills"]}
    return out


def evaluate(model: str) -> Dict[str, Any]:
    """Runs every held-out check and returns the figures."""
    nlu = H.nlu_cases()
    blinds = {name: H.table_cases(H.TEST_DATA / name) for name in H.BLIND_INTENT_TABLES}
    flag_tables = E.tables()
    slot_tables = {name: H.slot_cases(name) for name in H.SLOT_TABLES}
    texts = [c.text for c in nlu] + [c.text for cases in blinds.values() for c in cases]
    for rows in flag_tables.values():
        texts += [r.text for r in rows]
    for table in slot_tables.values():
        texts += [c["text"] for c in table]
    # Each distinct text once (about one in ten recurs across the tables).
    distinct = list(dict.fromkeys(texts))
    parsed = dict(zip(distinct, asyncio.run(parse_all(model, distinct)), strict=True))
    parses = iter([parsed[t] for t in texts])
    nlu_p = [next(parses) for _ in nlu]
    blind_p = {name: [next(parses)["intent"]["name"] for _ in cases] for name, cases in blinds.items()}
    flag_p = {name: [next(parses) for _ in rows] for name, rows in flag_tables.items()}
    slot_p = {name: [next(parses) for _ in table] for name, table in slot_tables.items()}

    own = [(c, p["intent"]["name"]) for c, p in zip(nlu, nlu_p, strict=False) if c.source == "own"]
    own_cases = [c for c, _ in own]
    own_pred = [p for _, p in own]
    all_pred = [p["intent"]["name"] for p in nlu_p]
    topic_parses = [p for c, p in zip(nlu, nlu_p, strict=True) if c.source == "own" and c.intent in H.ARTICLE_INTENTS]
    return {
        "intent": H.intent_report([c.intent for c in own_cases], own_pred),
        "intent_by_style": H.accuracy_by(own_cases, own_pred, lambda c: c.style),
        # Blind tables after their first use (each file's header says when and what it gave).
        "blind_intent": {name: {**H.intent_report([c.intent for c in cases], blind_p[name]),
                                "by_style": H.accuracy_by(cases, blind_p[name], lambda c: c.style),
                                "scope": H.scope_report(cases, blind_p[name])}
                         for name, cases in blinds.items()},
        "fallback_rate": sum(1 for p in own_pred if p == H.FALLBACK) / len(own_pred),
        "emergency": {name: emergency_variants(rows, flag_p[name]) for name, rows in flag_tables.items()},
        "emergency_on_nlu_set": sum(
            1 for c, p in zip(nlu, all_pred, strict=False) if p == H.EMERGENCY and c.intent != H.EMERGENCY
        ) / len(nlu),
        # The screen or the safety net on ordinary questions about the article's topics.
        "screen_or_net_on_topic_questions": screen_or_net_rate(topic_parses),
        "slots": {
            name: H.slot_report(table, [H.entity_sets(p["entities"]) for p in slot_p[name]])
            for name, table in slot_tables.items()
        },
        "slot_alternatives": {name: slot_alternatives(table) for name, table in slot_tables.items()},
        "scope": H.scope_report(nlu, all_pred),
        "clinc_n": sum(1 for c in nlu if c.source == "clinc150"),
    }


def emergency_variants(rows: List[E.Row], parses: List[Dict[str, Any]]) -> Dict[str, Any]:
    """One table: the whole model, and each detector alone and both without the intent classifier."""
    out = {"model": E.report(rows, [E.decision_of(p) for p in parses],
                             [p.get("emergency_detection") or {} for p in parses])}
    for name, (decisions, details) in E.detector_decisions(rows).items():
        out[name] = E.report(rows, decisions, details)
    return out


def screen_or_net_rate(parses: List[Dict[str, Any]]) -> Dict[str, Any]:
    """How many ordinary topic questions got the screen or would get the safety net."""
    hits = [
        p["text"] for p in parses
        if E.decision_of(p) == E.SCREEN or (p.get("emergency_detection") or {}).get("reports_symptom")
    ]
    return {"n": len(parses), "rate": len(hits) / len(parses) if parses else 0.0, "texts": hits}


if __name__ == "__main__":
    # A parse worker of parse_all: MODEL IN OUT (IN and OUT pickled lists of texts and of parses).
    _model, _inp, _out = sys.argv[1:4]
    Path(_out).write_bytes(pickle.dumps(asyncio.run(parse_in_process(_model, pickle.loads(Path(_inp).read_bytes())))))
