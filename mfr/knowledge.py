"""The knowledge file (knowledge/mfr.yml): loading, answer composition, checks.

Pure functions over plain data, so the actions stay thin and everything here is
unit-tested without Rasa.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

from mfr.data_files import read_yaml
from mfr.settings import PATHS

KNOWLEDGE_PATH = PATHS.knowledge
ARTICLE_PATH = PATHS.article

FACT = "fact"
SILENCE = "silence"
SHORT = "short"
LONG = "long"
# A silence statement must send the user to one of these.
CLINICIAN_WORDS = ("clinician", "healthcare provider", "clinic", "doctor", "physical therapist", "pharmacist")


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class Statement:
    """One sentence the assistant may say, with the article sentences behind it."""

    text: str
    sources: Tuple[str, ...] = ()
    kind: str = FACT

    @classmethod
    def from_dict(cls, data: Dict[str, Any]) -> "Statement":
        """Builds a statement from its YAML mapping."""
        return cls(
            text=_squash(data["text"]),
            sources=tuple(_squash(s) for s in data.get("sources", [])),
            kind=data.get("kind", FACT),
        )


@dataclass(frozen=True)
class Topic:
    """The answers for one article topic."""

    name: str
    title: str
    short: Tuple[Statement, ...]
    long: Tuple[Statement, ...]
    follow_ups: Tuple[str, ...] = ()


@dataclass(frozen=True)
class RiskAddition:
    """What the answers add when the user has a risk factor."""

    label: str
    topics: Tuple[str, ...]
    statements: Tuple[Statement, ...]


@dataclass(frozen=True)
class Knowledge:
    """The whole knowledge file."""

    topics: Dict[str, Topic]
    risk_additions: Dict[str, RiskAddition]
    symptom_labels: Dict[str, str]
    symptom_sources: Dict[str, str]
    symptom_topics: Tuple[str, ...]
    symptom_statement: Statement
    closing: Statement
    list_separator: str
    list_last_separator: str
    profile_nothing_new: Statement
    introduction: str
    headings: Tuple[str, ...]
    plain_words: frozenset
    interface: Dict[str, str] = field(default_factory=dict)

    def all_statements(self) -> List[Tuple[str, Statement]]:
        """Every statement with a label saying where it stands in the file."""
        out: List[Tuple[str, Statement]] = []
        for topic in self.topics.values():
            out += [(f"{topic.name}.short", s) for s in topic.short]
            out += [(f"{topic.name}.long", s) for s in topic.long]
        for name, add in self.risk_additions.items():
            out += [(f"additions.risk_factors.{name}", s) for s in add.statements]
        out.append(("additions.symptom_statement", self.symptom_statement))
        out.append(("additions.closing", self.closing))
        out.append(("profile_ack.nothing_new", self.profile_nothing_new))
        return out


def load_knowledge(path: Path = KNOWLEDGE_PATH) -> Knowledge:
    """Reads and parses the knowledge file."""
    raw = read_yaml(path)
    topics = {
        name: Topic(
            name=name,
            title=t["title"],
            short=tuple(Statement.from_dict(s) for s in t["short"]),
            long=tuple(Statement.from_dict(s) for s in t.get("long", [])),
            follow_ups=tuple(t.get("follow_ups", [])),
        )
        for name, t in raw["topics"].items()
    }
    additions = raw["additions"]
    risk_additions = {
        name: RiskAddition(
            label=a["label"],
            topics=tuple(a["topics"]),
            statements=tuple(Statement.from_dict(s) for s in a["statements"]),
        )
        for name, a in additions["risk_factors"].items()
    }
    return Knowledge(
        topics=topics,
        risk_additions=risk_additions,
        symptom_labels={k: v["label"] for k, v in additions["symptoms"].items()},
        symptom_sources={k: v["source"] for k, v in additions["symptoms"].items()},
        symptom_topics=tuple(additions["symptom_topics"]),
        symptom_statement=Statement.from_dict(additions["symptom_statement"]),
        closing=Statement.from_dict(additions["closing"]),
        list_separator=additions["list_separator"],
        list_last_separator=additions["list_last_separator"],
        profile_nothing_new=Statement.from_dict(raw["profile_ack"]["nothing_new"]),
        introduction=raw["article"]["introduction"],
        headings=tuple(raw["article"]["headings"]),
        plain_words=frozenset(raw["plain_words"].split()),
        interface=dict(raw.get("interface", {})),
    )


# ---------------------------------------------------------------- the article


@dataclass(frozen=True)
class Article:
    """The article split into its sections."""

    sections: Tuple[Tuple[str, str], ...]  # (section name, squashed text)

    @classmethod
    def load(cls, path: Path, introduction: str, headings: Sequence[str]) -> "Article":
        """Splits the article at the given heading lines."""
        lines = Path(path).read_text(encoding="utf-8").splitlines()
        sections: List[Tuple[str, List[str]]] = [(introduction, [])]
        for line in lines:
            if line.strip() in headings:
                sections.append((line.strip(), []))
            else:
                sections[-1][1].append(line.lstrip("- ").strip())
        return cls(tuple((name, _squash(" ".join(body))) for name, body in sections))

    def section_of(self, quote: str) -> Optional[str]:
        """The section that contains ``quote`` verbatim, if any."""
        quote = _squash(quote)
        for name, text in self.sections:
            if quote in text:
                return name
        return None

    def headings_found(self) -> List[str]:
        """Names of the sections found."""
        return [name for name, _ in self.sections]


def load_article(knowledge: Knowledge, path: Path = ARTICLE_PATH) -> Article:
    """The article as the knowledge file names its sections."""
    return Article.load(path, knowledge.introduction, knowledge.headings)


# ---------------------------------------------------------------- composing


@dataclass(frozen=True)
class Answer:
    """What the assistant says for one question."""

    topic: str
    text: str
    sections: Tuple[str, ...]
    follow_ups: Tuple[str, ...]
    personalised: bool
    has_more: bool


def join_list(items: Sequence[str], separator: str, last_separator: str) -> str:
    """Joins ``a, b and c`` with the knowledge file's separators."""
    if len(items) <= 1:
        return "".join(items)
    return separator.join(items[:-1]) + last_separator + items[-1]


def personal_statements(
    knowledge: Knowledge,
    topic: Optional[str],
    symptoms: Iterable[str],
    risk_factors: Iterable[str],
) -> List[Statement]:
    """The additions for the user's symptoms and risk factors.

    ``topic=None`` means every addition (the acknowledgement after the user
    tells us something about themselves).
    """
    out: List[Statement] = []
    known_symptoms = [s for s in symptoms if s in knowledge.symptom_labels]
    if known_symptoms and (topic is None or topic in knowledge.symptom_topics):
        labels = [knowledge.symptom_labels[s] for s in known_symptoms]
        template = knowledge.symptom_statement
        text = template.text.replace(
            "{symptoms}", join_list(labels, knowledge.list_separator, knowledge.list_last_separator)
        )
        sources = template.sources + tuple(knowledge.symptom_sources[s] for s in known_symptoms)
        out.append(Statement(text, sources))
    for factor in risk_factors:
        addition = knowledge.risk_additions.get(factor)
        if addition and (topic is None or topic in addition.topics):
            out.extend(
                Statement(s.text.replace("{label}", addition.label), s.sources, s.kind)
                for s in addition.statements
            )
    if out:
        out.append(knowledge.closing)
    return out


def compose_answer(
    knowledge: Knowledge,
    article: Article,
    topic: str,
    detail: str = SHORT,
    symptoms: Iterable[str] = (),
    risk_factors: Iterable[str] = (),
) -> Answer:
    """The grounded answer for ``topic``, adapted to the user's slots."""
    entry = knowledge.topics[topic]
    statements = list(entry.short)
    if detail == LONG:
        statements += list(entry.long)
    personal = personal_statements(knowledge, topic, symptoms, risk_factors)
    statements += personal
    return Answer(
        topic=topic,
        text=" ".join(s.text for s in statements),
        sections=sections_of(article, statements),
        follow_ups=entry.follow_ups,
        personalised=bool(personal),
        has_more=detail == SHORT and bool(entry.long),
    )


def sections_of(article: Article, statements: Iterable[Statement]) -> Tuple[str, ...]:
    """The article sections the statements rest on, in article order."""
    found = {article.section_of(q) for s in statements for q in s.sources}
    return tuple(name for name in article.headings_found() if name in found)


# ---------------------------------------------------------------- checking


_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_SUFFIXES = ("ingly", "edly", "ings", "ing", "ied", "ies", "ed", "es", "s", "ly", "ic", "ty")


def _stem(word: str) -> str:
    """A deliberately crude stemmer: "palpates", "palpate" -> "palpat"."""
    word = word.removesuffix("'s")
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word.rstrip("eyi") if len(word) > 4 else word


def words(text: str) -> List[str]:
    """Lower-case words of ``text`` (hyphenated words split, placeholders dropped)."""
    text = re.sub(r"\{[a-z_]+\}", " ", text.lower().replace("\u2019", "'"))
    return _WORD.findall(text.replace("-", " "))


def unsupported_words(statement: Statement, plain_words: Iterable[str]) -> List[str]:
    """Words of a statement found neither in its sources nor in the plain words.

    A crude but strict guard against invented content: a new fact needs new
    words (a number, a drug, a body part), and those must come from the quotes.
    """
    allowed = {_stem(w) for w in plain_words}
    for source in statement.sources:
        allowed |= {_stem(w) for w in words(source)}
    return [w for w in words(statement.text) if _stem(w) not in allowed]


def check_knowledge(knowledge: Knowledge, article: Article, topics: Iterable[str]) -> List[str]:
    """Every problem with the knowledge file; an empty list means it is sound."""
    problems = []
    missing = set(knowledge.headings) - set(article.headings_found())
    problems += [f"heading not in the article: {h!r}" for h in sorted(missing)]
    for name in topics:
        topic = knowledge.topics.get(name)
        if topic is None:
            problems.append(f"topic {name!r} has no entry")
            continue
        if not topic.short or not topic.long:
            problems.append(f"topic {name!r} needs a short and a long answer")
        for follow in topic.follow_ups:
            if follow not in knowledge.topics:
                problems.append(f"topic {name!r} follows up with unknown topic {follow!r}")
    for where, statement in knowledge.all_statements():
        problems += _statement_problems(where, statement, knowledge, article)
    for factor, addition in knowledge.risk_additions.items():
        for topic_name in addition.topics:
            if topic_name not in knowledge.topics:
                problems.append(f"risk factor {factor!r} names unknown topic {topic_name!r}")
    for symptom, source in knowledge.symptom_sources.items():
        if article.section_of(source) is None:
            problems.append(f"symptom {symptom!r}: source not in the article: {source!r}")
    return problems


def _statement_problems(
    where: str, statement: Statement, knowledge: Knowledge, article: Article
) -> List[str]:
    problems = []
    if statement.kind == SILENCE:
        if statement.sources:
            problems.append(f"{where}: a silence statement quotes the article")
        if not any(w in statement.text.lower() for w in CLINICIAN_WORDS):
            problems.append(f"{where}: a silence statement must point to a clinician")
        return problems
    if statement.kind != FACT:
        return [f"{where}: unknown kind {statement.kind!r}"]
    if not statement.sources:
        problems.append(f"{where}: no source for {statement.text!r}")
    for quote in statement.sources:
        if article.section_of(quote) is None:
            problems.append(f"{where}: not in the article verbatim: {quote!r}")
    extra = unsupported_words(statement, knowledge.plain_words)
    if extra:
        problems.append(f"{where}: words with no source: {sorted(set(extra))}")
    return problems
