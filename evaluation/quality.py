"""The held-out quality figures of a trained model (shared by tests and scripts)."""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List

from evaluation import emergency as E
from evaluation import heldout as H
from mfr.medical_entities import Lexicon, affirmed_ids, analyse, build_pipeline


def quiet_rasa_logs() -> None:
    """Rasa's structured and standard logs at WARNING.

    Unconfigured, Rasa's structlog prints every parsed text at DEBUG: the
    scoring of a blind table that must stay unseen would show its sentences.
    """
    import logging

    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


async def parse_all(model: str, texts: List[str]) -> List[Dict[str, Any]]:
    """Parses every text with the trained model, in one process (Rasa's logs quiet)."""
    from rasa.core.agent import Agent

    quiet_rasa_logs()

    agent = Agent.load(model)
    return [await agent.parse_message(t) for t in texts]


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
    parses = iter(asyncio.run(parse_all(model, texts)))
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
