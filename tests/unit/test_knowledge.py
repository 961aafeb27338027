"""knowledge/mfr.yml and mfr/knowledge.py: grounding checks and answer composition."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest
import yaml

from evaluation.heldout import ARTICLE_INTENTS, TOPIC_INTENTS
from mfr.knowledge import (
    ARTICLE_PATH,
    KNOWLEDGE_PATH,
    LONG,
    SHORT,
    SILENCE,
    Knowledge,
    Statement,
    check_knowledge,
    compose_answer,
    join_list,
    load_article,
    load_knowledge,
    unsupported_words,
)

ALL_TOPICS = ARTICLE_INTENTS
RISKS_HEADING = "What are the risks of myofascial release?"
REAL_SOURCE = "Myofascial release performed by a trained massage therapist carries minimal risk."


# ---------------------------------------------------------------- the real file


def test_real_knowledge_file_passes_the_checker(knowledge, article):
    assert check_knowledge(knowledge, article, ALL_TOPICS) == []


def test_every_heading_is_found_in_the_article(knowledge, article):
    assert set(knowledge.headings) <= set(article.headings_found())


def test_topic_intents_are_domain_intents_and_have_entries(domain_dict, knowledge):
    intents = set(domain_dict["intents"])
    assert set(ALL_TOPICS) <= intents
    # Every knowledge topic is an intent the assistant can receive, and vice
    # versa, except the triage disposition, which action_triage_disposition uses.
    assert set(knowledge.topics) - {"triage_disposition"} == set(ALL_TOPICS)
    assert "action_answer_question" in domain_dict["actions"]


@pytest.mark.parametrize("topic", ALL_TOPICS)
def test_each_topic_has_short_and_long_answer_and_known_follow_ups(knowledge, topic):
    entry = knowledge.topics[topic]
    assert entry.title
    assert entry.short and entry.long
    assert set(entry.follow_ups) <= set(knowledge.topics)


def test_article_is_the_reviewed_copy(root):
    # The repository stands alone: the article's reviewed version is pinned by
    # its hash, so an edit to knowledge/article.txt must update the hash too.
    expected = (root / "knowledge" / "article.sha256").read_text().split()[0]
    assert hashlib.sha256(ARTICLE_PATH.read_bytes()).hexdigest() == expected


# ---------------------------------------------------------------- the checker catches problems


def _with_statement(knowledge: Knowledge, topic: str, statement: Statement) -> Knowledge:
    """A copy of ``knowledge`` whose ``topic`` gets one extra short statement."""
    entry = knowledge.topics[topic]
    topics = dict(knowledge.topics)
    topics[topic] = dataclasses.replace(entry, short=(*entry.short, statement))
    return dataclasses.replace(knowledge, topics=topics)


def _problems(knowledge: Knowledge, article) -> list:
    return check_knowledge(knowledge, article, ALL_TOPICS)


def test_checker_catches_quote_not_in_article(knowledge, article):
    fake = "Myofascial release is proven to work for everyone."
    bad = _with_statement(knowledge, "evidence", Statement("It works for everyone.", (fake,)))
    problems = _problems(bad, article)
    assert any("not in the article verbatim" in p and fake in p for p in problems), problems


def test_checker_catches_slightly_altered_quote(knowledge, article):
    altered = REAL_SOURCE.replace("minimal", "no")
    bad = _with_statement(knowledge, "risks", Statement("It carries no risk.", (altered,)))
    problems = _problems(bad, article)
    assert any("not in the article verbatim" in p for p in problems), problems


def test_checker_catches_fact_without_sources(knowledge, article):
    bad = _with_statement(knowledge, "risks", Statement("It carries minimal risk."))
    problems = _problems(bad, article)
    assert any("risks.short" in p and "no source" in p for p in problems), problems


def test_checker_catches_invented_fact_with_real_source(knowledge, article):
    invented = Statement("It cures arthritis in 3 sessions.", (REAL_SOURCE,))
    extra = unsupported_words(invented, knowledge.plain_words)
    assert {"cures", "arthritis", "3"} <= set(extra)
    problems = _problems(_with_statement(knowledge, "evidence", invented), article)
    flagged = [p for p in problems if "words with no source" in p]
    assert len(flagged) == 1, problems
    for word in ("cures", "arthritis", "'3'"):
        assert word in flagged[0]


def test_unsupported_words_accepts_paraphrase_from_sources_and_plain_words(knowledge):
    statement = Statement("A trained massage therapist carries minimal risk.", (REAL_SOURCE,))
    assert unsupported_words(statement, knowledge.plain_words) == []


def test_checker_catches_silence_without_clinician(knowledge, article):
    silent = Statement("The article does not say anything about that.", kind=SILENCE)
    problems = _problems(_with_statement(knowledge, "at_home", silent), article)
    assert any("must point to a clinician" in p for p in problems), problems


def test_checker_catches_silence_that_quotes_the_article(knowledge, article):
    silent = Statement("Ask a clinician about that.", (REAL_SOURCE,), kind=SILENCE)
    problems = _problems(_with_statement(knowledge, "at_home", silent), article)
    assert any("silence statement quotes the article" in p for p in problems), problems


def test_checker_catches_missing_topic(knowledge, article):
    topics = {name: t for name, t in knowledge.topics.items() if name != "risks"}
    bad = dataclasses.replace(knowledge, topics=topics)
    problems = _problems(bad, article)
    assert "topic 'risks' has no entry" in problems
    # Additions and follow-ups that still name the removed topic are reported too.
    assert any("unknown topic 'risks'" in p for p in problems)


def _modified_yaml_copy(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(KNOWLEDGE_PATH.read_text(encoding="utf-8"))
    change(raw)
    path = tmp_path / "mfr.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def test_unmodified_yaml_round_trip_still_passes(tmp_path, article):
    loaded = load_knowledge(_modified_yaml_copy(tmp_path, lambda raw: None))
    assert check_knowledge(loaded, article, ALL_TOPICS) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda raw: raw["topics"]["risks"]["short"][0]["sources"].__setitem__(0, "Massage is always safe."),
            "not in the article verbatim: 'Massage is always safe.'",
            id="quote-not-in-article",
        ),
        pytest.param(
            lambda raw: raw["topics"]["evidence"]["short"][0].pop("sources"),
            "evidence.short: no source",
            id="fact-without-sources",
        ),
        pytest.param(
            lambda raw: raw["topics"]["risks"]["short"].append(
                {"text": "It cures arthritis in 3 sessions.", "sources": [REAL_SOURCE]}
            ),
            "words with no source: ['3', 'arthritis', 'cures']",
            id="invented-fact",
        ),
        pytest.param(
            lambda raw: raw["topics"]["at_home"]["short"].append(
                {"kind": "silence", "text": "The article does not name any devices."}
            ),
            "at_home.short: a silence statement must point to a clinician",
            id="silence-without-clinician",
        ),
        pytest.param(
            lambda raw: raw["topics"].pop("trigger_points"),
            "topic 'trigger_points' has no entry",
            id="topic-missing",
        ),
        pytest.param(
            lambda raw: raw["additions"]["symptoms"]["knots"].__setitem__("source", "knots everywhere"),
            "symptom 'knots': source not in the article",
            id="symptom-source-not-in-article",
        ),
        pytest.param(
            lambda raw: raw["article"]["headings"].append("What does it cost?"),
            "heading not in the article: 'What does it cost?'",
            id="heading-not-in-article",
        ),
    ],
)
def test_checker_catches_problems_in_modified_yaml(tmp_path, knowledge, change, expected):
    path = _modified_yaml_copy(tmp_path, change)
    loaded = load_knowledge(path)
    problems = check_knowledge(loaded, load_article(loaded), ALL_TOPICS)
    assert any(expected in p for p in problems), problems


# ---------------------------------------------------------------- composing answers


def test_risks_answer_mentions_bruising_and_fractures(knowledge, article):
    answer = compose_answer(knowledge, article, "risks")
    assert "bruising" in answer.text
    assert "fractures" in answer.text
    assert RISKS_HEADING in answer.sections
    assert not answer.personalised
    assert answer.has_more


def test_frail_older_adult_adds_frailty_statement_and_closing(knowledge, article):
    base = compose_answer(knowledge, article, "risks")
    answer = compose_answer(knowledge, article, "risks", risk_factors=["frail_older_adult"])
    label = knowledge.risk_additions["frail_older_adult"].label
    assert answer.text.startswith(base.text)
    assert f"You mentioned {label}" in answer.text
    assert "{label}" not in answer.text
    assert "healthcare provider" not in base.text
    assert answer.text.rstrip().endswith(knowledge.closing.text)
    assert "healthcare provider" in answer.text
    assert answer.personalised


@pytest.mark.parametrize("topic", ["how_it_works", "risks", "who_benefits"])
def test_oil_allergy_adds_allergic_reaction(knowledge, article, topic):
    base = compose_answer(knowledge, article, topic)
    answer = compose_answer(knowledge, article, topic, risk_factors=["oil_allergy"])
    assert answer.text.count("allergic") == base.text.count("allergic") + 1
    assert "healthcare provider" in answer.text
    assert answer.personalised


@pytest.mark.parametrize("topic", ["symptoms", "what_is_mps"])
def test_knots_symptom_is_named_on_symptom_topics(knowledge, article, topic):
    base = compose_answer(knowledge, article, topic)
    answer = compose_answer(knowledge, article, topic, symptoms=["knots"])
    assert answer.text.count("palpable painful knots") == base.text.count("palpable painful knots") + 1
    assert "{symptoms}" not in answer.text
    assert "healthcare provider" in answer.text
    assert "Who might benefit from myofascial release?" in answer.sections


def test_several_symptoms_are_joined_in_the_users_order(knowledge, article):
    answer = compose_answer(knowledge, article, "what_is_mps", symptoms=["knots", "dull_ache", "mood_sleep_problems"])
    assert (
        "palpable painful knots within muscles; a dull, aching muscular discomfort and disturbances in mood or sleep"
    ) in answer.text


def test_closing_is_added_once_for_several_additions(knowledge, article):
    answer = compose_answer(
        knowledge,
        article,
        "who_benefits",
        symptoms=["knots"],
        risk_factors=["frail_older_adult", "fracture_risk", "nerve_problem"],
    )
    assert answer.text.count(knowledge.closing.text) == 1
    assert "nerve injury" in answer.text
    assert "fractures" in answer.text


@pytest.mark.parametrize(
    ("topic", "symptoms", "risk_factors"),
    [
        pytest.param("evidence", (), ("frail_older_adult",), id="frail-on-evidence"),
        pytest.param("evidence", ("knots",), (), id="knots-on-evidence"),
        pytest.param("risks", ("knots", "dull_ache"), (), id="symptoms-on-risks"),
        pytest.param("what_is_mps", (), ("oil_allergy",), id="oil-allergy-on-what-is-mps"),
        pytest.param("back_pain", (), ("oil_allergy",), id="oil-allergy-on-back-pain"),
        pytest.param("symptoms", ("not_a_symptom",), ("not_a_risk",), id="unknown-ids"),
    ],
)
def test_additions_are_not_added_to_topics_they_do_not_list(knowledge, article, topic, symptoms, risk_factors):
    base = compose_answer(knowledge, article, topic)
    answer = compose_answer(knowledge, article, topic, symptoms=symptoms, risk_factors=risk_factors)
    assert answer.text == base.text
    assert not answer.personalised
    assert knowledge.closing.text not in answer.text


@pytest.mark.parametrize("topic", TOPIC_INTENTS)
def test_long_answer_extends_short_answer(knowledge, article, topic):
    short = compose_answer(knowledge, article, topic, SHORT)
    long = compose_answer(knowledge, article, topic, LONG)
    assert len(long.text) > len(short.text)
    assert long.text.startswith(short.text)
    assert short.has_more and not long.has_more
    assert short.sections  # every article topic names where it comes from


def test_sections_are_in_article_order(knowledge, article):
    answer = compose_answer(knowledge, article, "what_is_mfr", LONG)
    order = article.headings_found()
    assert list(answer.sections) == sorted(answer.sections, key=order.index)
    assert "The bottom line" in answer.sections


@pytest.mark.parametrize("detail", [SHORT, LONG])
def test_not_covered_has_no_sections(knowledge, article, detail):
    answer = compose_answer(knowledge, article, "not_covered", detail)
    assert answer.sections == ()
    assert answer.text
    assert "clinician" in answer.text


# ---------------------------------------------------------------- join_list


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        pytest.param([], "", id="none"),
        pytest.param(["knots"], "knots", id="one"),
        pytest.param(["knots", "aches"], "knots and aches", id="two"),
        pytest.param(["knots", "aches", "stiffness"], "knots; aches and stiffness", id="three"),
    ],
)
def test_join_list(items, expected):
    assert join_list(items, "; ", " and ") == expected


def test_join_list_uses_the_knowledge_file_separators(knowledge):
    text = join_list(["a", "b", "c"], knowledge.list_separator, knowledge.list_last_separator)
    assert text == f"a{knowledge.list_separator}b{knowledge.list_last_separator}c"
