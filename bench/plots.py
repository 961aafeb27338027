"""The report's PNG plots (matplotlib, Agg backend: no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from bench.load import LevelResult


def confusion_matrix_png(pairs: Sequence[Tuple[str, str]], path: Path, title: str) -> None:
    """Rows: true intent; columns: predicted intent (counts, zeros left blank)."""
    gold_labels = sorted({g for g, _ in pairs})
    extra = sorted({p for _, p in pairs} - set(gold_labels))
    rows, cols = gold_labels, gold_labels + extra
    m = np.zeros((len(rows), len(cols)), dtype=int)
    for g, p in pairs:
        m[rows.index(g), cols.index(p)] += 1
    fig, ax = plt.subplots(figsize=(0.42 * len(cols) + 3, 0.42 * len(rows) + 2.5))
    norm = m / np.maximum(m.sum(axis=1, keepdims=True), 1)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1, aspect="auto")
    for i in range(len(rows)):
        for j in range(len(cols)):
            if m[i, j]:
                ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=7,
                        color="white" if norm[i, j] > 0.6 else ("black" if i == j else "crimson"))
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(cols, rotation=70, ha="right", fontsize=7)
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows, fontsize=7)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("true intent")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_histogram_png(levels: Sequence[LevelResult], path: Path) -> None:
    """Latency distributions per number of users: the webhook's full path against the HTTP floor."""
    fig, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=False)
    all_ms = [x * 1000 for lv in levels for x in lv.latencies_s if x > 0]
    lo = max(min(all_ms, default=0.1), 0.05)
    hi = max(max(all_ms, default=1000), lo * 10)
    bins = np.logspace(np.log10(lo), np.log10(hi), 60)
    for ax, kind in zip(axes, ("floor", "webhook"), strict=True):
        for lv in levels:
            if lv.target.startswith("floor") != (kind == "floor") or not lv.latencies_s:
                continue
            ms = np.array(lv.latencies_s) * 1000
            ax.hist(ms, bins=bins, histtype="step", linewidth=1.5,
                    label=f"{lv.users} users: p50 {lv.ms(50):.1f}, p95 {lv.ms(95):.1f} ms")
        if kind == "webhook":
            ax.axvline(150, color="crimson", linestyle="--", linewidth=1, label="target p95 150 ms (16 users)")
        ax.set_xscale("log")
        ax.set_xlabel("latency (ms, log scale)")
        ax.set_ylabel("requests")
        ax.set_title("HTTP floor: GET /webhooks/rest/" if kind == "floor"
                     else "assistant: POST /webhooks/rest/webhook (full path)", fontsize=9)
        ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def peers_png(rows: List[Dict[str, Any]], path: Path) -> None:
    """Grouped bars of the quality figures of each model."""
    metrics = [("intent_accuracy", "intent acc."), ("macro_f1", "macro F1"), ("oos_rejection", "OOS rejected"),
               ("in_scope_kept", "in-scope kept"), ("emergency_recall_blind", "emergency recall (blind)")]
    rows = [r for r in rows if r.get("intent_accuracy") is not None]
    fig, ax = plt.subplots(figsize=(10, 3.8))
    width = 0.8 / max(len(rows), 1)
    x = np.arange(len(metrics))
    for i, r in enumerate(rows):
        vals = [r.get(k) or 0 for k, _ in metrics]
        bars = ax.bar(x + i * width - 0.4 + width / 2, vals, width, label=r["model"])
        for b, v in zip(bars, vals, strict=True):
            ax.text(b.get_x() + b.get_width() / 2, v + 0.01, f"{v:.2f}", ha="center", fontsize=6)
    ax.set_xticks(x)
    ax.set_xticklabels([label for _, label in metrics], fontsize=8)
    ax.set_ylim(0, 1.1)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("Held-out quality, same data, same test sets", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
