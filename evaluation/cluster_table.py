"""How well the unanswered questions are grouped, on a table of messages grouped by need (a blind table).

`scripts/score_cluster_table.py` prints it; tests/unit/test_insights.py keeps
the figures of tests/data/blind_unanswered.yml from falling.

The table lists groups (`need`, `messages`) written by someone who never saw
the clustering. Printed: the adjusted Rand index and V-measure of the
grouping against the table's, and for the table's three largest needs whether
one group of the report holds most of their messages (the "three most common
questions" a staff member looks for) and how pure that group is.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Dict, List

import numpy as np
import yaml
from sklearn.metrics import adjusted_rand_score, v_measure_score

from insights.clusters import cluster_questions
from insights.extract import KIND_FALLBACK, Unanswered


def score(path: Path) -> Dict[str, object]:
    """The figures for one table."""
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    texts: List[str] = []
    truth: List[int] = []
    for g, group in enumerate(groups):
        for message in group["messages"]:
            texts.append(str(message))
            truth.append(g)
    items = [Unanswered("table", float(i), "rest", KIND_FALLBACK, t, "", 0.0) for i, t in enumerate(texts)]
    clusters = cluster_questions(items)
    label_of: Dict[str, int] = {}
    for c, cluster in enumerate(clusters):
        for text in cluster.members:
            label_of.setdefault(text, c)
    predicted = [label_of[t] for t in texts]
    sizes = Counter(truth)
    top_needs = [g for g, _ in sizes.most_common(3)]
    recovered = []
    for need in top_needs:
        in_need = [p for p, t in zip(predicted, truth, strict=True) if t == need]
        best, hits = Counter(in_need).most_common(1)[0]
        cluster_size = predicted.count(best)
        recovered.append({"need": groups[need]["need"], "size": sizes[need], "largest_share": hits / sizes[need],
                          "purity": hits / cluster_size, "report_rank": best + 1})
    return {
        "messages": len(texts), "needs": len(groups), "groups_found": len(clusters),
        "adjusted_rand": float(adjusted_rand_score(truth, predicted)),
        "v_measure": float(v_measure_score(truth, predicted)),
        "top3": recovered,
        "top3_in_report_top3": sum(1 for r in recovered if r["report_rank"] <= 3),
        "mean_top3_share": float(np.mean([r["largest_share"] for r in recovered])),
    }
