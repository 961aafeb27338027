"""The warm transfer's whisper: why the caller is calling, said to the staff member who answers.

Twilio fetches it from `<Number url=...>` when the clinic picks up, before the
two are connected. It names only what the assistant recognised (topics,
symptoms, risk factors, the triage's outcome, whether an emergency reply was
given), never anything the caller said word for word. Its wording is in
speech.yml; the names come from knowledge/mfr.yml.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Dict, List, Optional, Tuple

from channels.twilio_voice.wording import wording
from mfr.call_summary import CallSummary, join_names
from mfr.knowledge import load_knowledge


@lru_cache(maxsize=1)
def _names() -> Tuple[Dict[str, str], Dict[str, str], Dict[str, str]]:
    knowledge = load_knowledge()
    topics = {k: t.title for k, t in knowledge.topics.items()}
    risks = {k: a.label for k, a in knowledge.risk_additions.items()}
    return topics, dict(knowledge.symptom_labels), risks


def whisper_text(summary: Optional[CallSummary], emergency_number: str) -> List[str]:
    """The sentences the staff member hears."""
    words = wording().whisper
    topics, symptoms, risks = _names()
    said = [words.intro]
    summary = summary or CallSummary()
    for template, ids, names in ((words.topics, summary.topics, topics),
                                 (words.symptoms, summary.symptoms, symptoms),
                                 (words.risk_factors, summary.risk_factors, risks)):
        items = join_names(ids, names, words.list_separator, words.list_last_separator)
        if items:
            said.append(template.format(items=items))
    if summary.disposition in words.dispositions:
        said.append(words.dispositions[summary.disposition])
    if summary.red_flag:
        said.append(words.red_flag.format(emergency_number=emergency_number))
    if len(said) == 1:
        said.append(words.nothing)
    said.append(words.outro)
    return said
