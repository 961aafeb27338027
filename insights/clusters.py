"""Unanswered questions grouped by similarity, largest group first (scikit-learn).

Each question becomes a TF-IDF vector of its words and word pairs plus
character n-grams (so "masage" still lands beside "massage"); agglomerative
clustering with average linkage over cosine distance joins questions closer
than `DISTANCE_THRESHOLD`, so the number of groups follows the data. An editor
reads each group's size, a few examples and the intent the model guessed most
often, then adds training examples or asks for a new knowledge entry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import List, Sequence

import re

import numpy as np
from scipy.sparse import hstack
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

from insights.extract import Unanswered

# Cosine distance under which two questions are "the same question": chosen by
# hand on a dozen seeded questions (paraphrases join, different needs don't);
# the README's Quality section gives its first-use figure on a blind table.
DISTANCE_THRESHOLD = 0.9
EXAMPLES_PER_CLUSTER = 3
# Words nearly every question to this assistant contains: they say nothing
# about which question it is, so they are left out before comparing.
DOMAIN_WORDS = frozenset({"myofascial", "release", "mfr", "fascia", "fascial", "therapy", "treatment", "does",
                          "help", "session"})
_WORD = re.compile(r"[a-z0-9']+")


def _content(text: str) -> str:
    return " ".join(w for w in _WORD.findall(text.lower()) if w not in DOMAIN_WORDS)


@dataclass
class Cluster:
    """Similar unanswered questions."""

    count: int
    examples: List[str]
    guessed_intent: str
    kinds: List[str] = field(default_factory=list)
    channels: List[str] = field(default_factory=list)
    members: List[str] = field(default_factory=list)  # every text in the group, most recent first


def _vectors(texts: Sequence[str]) -> np.ndarray:
    texts = [_content(t) for t in texts]
    words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True, stop_words="english").fit(texts)
    chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True).fit(texts)
    try:
        word_part = words.transform(texts)
    except ValueError:
        word_part = None
    matrix = chars.transform(texts) if word_part is None else hstack([word_part, chars.transform(texts)])
    dense = np.asarray(matrix.todense())
    norms = np.linalg.norm(dense, axis=1, keepdims=True)
    return dense / np.where(norms == 0, 1, norms)


def cluster_questions(items: Sequence[Unanswered], threshold: float = DISTANCE_THRESHOLD) -> List[Cluster]:
    """The unanswered questions in groups, largest first (ties: most recent first)."""
    items = [i for i in items if i.text.strip()]
    if not items:
        return []
    texts = [i.text for i in items]
    if len(items) == 1:
        labels = np.zeros(1, dtype=int)
    else:
        try:
            vectors = _vectors(texts)
        except ValueError:  # nothing but stop words and punctuation
            vectors = np.eye(len(items))
        model = AgglomerativeClustering(n_clusters=None, distance_threshold=threshold, affinity="cosine",
                                        linkage="average")
        labels = model.fit_predict(vectors)
    clusters: List[Cluster] = []
    for label in set(labels.tolist()):
        members = sorted((items[i] for i in np.flatnonzero(labels == label)), key=lambda u: -u.timestamp)
        examples: List[str] = []
        for member in members:
            if member.text not in examples:
                examples.append(member.text)
        guessed = Counter(m.intent for m in members if m.intent).most_common(1)
        clusters.append(Cluster(
            count=len(members), examples=examples[:EXAMPLES_PER_CLUSTER],
            guessed_intent=guessed[0][0] if guessed else "",
            kinds=sorted({m.kind for m in members}), channels=sorted({m.channel for m in members}),
            members=[m.text for m in members],
        ))
    return sorted(clusters, key=lambda c: -c.count)
