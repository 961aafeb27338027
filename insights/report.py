"""The clinic's figures and plots from the conversation store, as one self-contained HTML page.

`python -m insights.report` (`make insights`) writes reports/insights.html;
the staff dashboard (insights/dashboard.py) serves the same page behind a
login. Plots are drawn with matplotlib into PNGs embedded in the page, so the
file can be mailed or opened without the server.
"""

from __future__ import annotations

import argparse
import base64
import io
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

import jinja2
import matplotlib

matplotlib.use("Agg")  # no display: draw to files only
import matplotlib.pyplot as plt

from insights.clusters import Cluster, cluster_questions
from insights.extract import (
    KIND_FALLBACK,
    KIND_NONE_OF_THESE,
    Conversation,
    Feedback,
    Turn,
    Unanswered,
    extract,
    red_flag_replies,
)
from insights.store import database_url, read_conversations
from mfr.knowledge import load_knowledge

TEMPLATES = Path(__file__).resolve().parent / "templates"
DEFAULT_DAYS = 30
TOP_CLUSTERS = 10


@dataclass
class Insights:
    """Everything the page shows."""

    generated: str
    days: int
    conversations: int
    messages: int
    per_day_channel: Dict[str, Dict[str, int]] = field(default_factory=dict)
    topic_mix: List[Tuple[str, int]] = field(default_factory=list)
    unanswered_rate: Dict[str, float] = field(default_factory=dict)
    helpfulness: List[Tuple[str, int, int]] = field(default_factory=list)  # title, helpful, not helpful
    triage_per_week: Dict[str, Dict[str, int]] = field(default_factory=dict)
    red_flags_per_week: Dict[str, int] = field(default_factory=dict)
    clusters: List[Cluster] = field(default_factory=list)
    unanswered: int = 0
    plots: Dict[str, str] = field(default_factory=dict)


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, timezone.utc).strftime("%Y-%m-%d")


def _week(timestamp: float) -> str:
    year, week, _ = datetime.fromtimestamp(timestamp, timezone.utc).isocalendar()
    return f"{year}-W{week:02d}"


def _is_question(turn: Turn) -> bool:
    """A message a person typed or said (not a button's payload or the phone line's own start)."""
    return not turn.intent.startswith("feedback_") and turn.intent not in ("session_start", "")


def summarise(conversations: Sequence[Conversation], titles: Mapping[str, str], days: int,
              now: Optional[float] = None) -> Insights:
    """The figures of the page (no plots yet)."""
    turns = [t for c in conversations for t in c.turns]
    feedback: List[Feedback] = [f for c in conversations for f in c.feedback]
    unanswered: List[Unanswered] = [u for c in conversations for u in c.unanswered]
    insights = Insights(
        generated=datetime.fromtimestamp(now or time.time(), timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        days=days, conversations=len([c for c in conversations if c.turns]), messages=len(turns),
        unanswered=len(unanswered),
    )
    seen: Dict[str, Dict[str, set]] = defaultdict(lambda: defaultdict(set))
    for turn in turns:
        seen[_day(turn.timestamp)][turn.channel].add(turn.sender_id)
    insights.per_day_channel = {day: {ch: len(s) for ch, s in sorted(chs.items())} for day, chs in sorted(seen.items())}
    topics = Counter(titles.get(t.topic, t.topic) for t in turns if t.topic and t.topic != "not_covered")
    insights.topic_mix = topics.most_common()
    asked: Counter = Counter(_day(t.timestamp) for t in turns if _is_question(t))
    missed: Counter = Counter(_day(u.timestamp) for u in unanswered if u.kind in (KIND_FALLBACK, KIND_NONE_OF_THESE))
    insights.unanswered_rate = {day: missed[day] / asked[day] for day in sorted(asked)}
    rated: Dict[str, List[bool]] = defaultdict(list)
    for f in feedback:
        rated[titles.get(f.topic or "", f.topic or "(no topic)")].append(f.helpful)
    insights.helpfulness = sorted(((t, sum(v), len(v) - sum(v)) for t, v in rated.items()),
                                  key=lambda r: -(r[1] + r[2]))
    triage: Dict[str, Counter] = defaultdict(Counter)
    for turn in turns:
        if turn.triage:
            triage[_week(turn.timestamp)][turn.triage] += 1
    insights.triage_per_week = {w: dict(c) for w, c in sorted(triage.items())}
    insights.red_flags_per_week = dict(sorted(Counter(_week(t.timestamp) for t in red_flag_replies(turns)).items()))
    insights.clusters = cluster_questions(unanswered)[:TOP_CLUSTERS]
    return insights


# ---------------------------------------------------------------- plots


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _bar(labels: Sequence[str], series: Mapping[str, Sequence[float]], title: str, horizontal: bool = False,
         percent: bool = False) -> str:
    figure, axes = plt.subplots(figsize=(7, 3.2))
    bottom = [0.0] * len(labels)
    positions = list(range(len(labels)))
    for name, values in series.items():
        if horizontal:
            axes.barh(positions, values, left=bottom, label=name)
        else:
            axes.bar(positions, values, bottom=bottom, label=name)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if horizontal:
        axes.set_yticks(positions)
        axes.set_yticklabels(labels)
        axes.invert_yaxis()
    else:
        axes.set_xticks(positions)
        axes.set_xticklabels(labels, rotation=45, ha="right")
    count_axis = axes.xaxis if horizontal else axes.yaxis
    if percent:
        count_axis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    else:
        count_axis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    axes.set_title(title)
    if len(series) > 1:
        axes.legend(fontsize="small")
    return _png(figure)


def draw(insights: Insights) -> Dict[str, str]:
    """The page's plots as data URIs (a plot with no data is left out)."""
    plots: Dict[str, str] = {}
    days = list(insights.per_day_channel)
    if days:
        channels = sorted({ch for per in insights.per_day_channel.values() for ch in per})
        plots["per_day"] = _bar(days, {ch: [insights.per_day_channel[d].get(ch, 0) for d in days] for ch in channels},
                                "Conversations per day and channel")
    if insights.topic_mix:
        labels, counts = zip(*insights.topic_mix, strict=True)
        plots["topics"] = _bar(list(labels), {"answers": list(counts)}, "Topics answered", horizontal=True)
    if insights.unanswered_rate:
        rates = insights.unanswered_rate
        plots["unanswered_rate"] = _bar(list(rates), {"rate": list(rates.values())},
                                        "Share of messages ending in the fallback or 'None of these'", percent=True)
    if insights.helpfulness:
        rated = [r[0] for r in insights.helpfulness]
        plots["helpfulness"] = _bar(rated, {"helpful": [r[1] for r in insights.helpfulness],
                                             "not helpful": [r[2] for r in insights.helpfulness]},
                                    "Was this helpful? (answers per topic)", horizontal=True)
    weeks = sorted(set(insights.triage_per_week) | set(insights.red_flags_per_week))
    if weeks:
        outcomes = sorted({o for per in insights.triage_per_week.values() for o in per})
        series = {f"triage: {o}": [insights.triage_per_week.get(w, {}).get(o, 0) for w in weeks] for o in outcomes}
        series["emergency replies"] = [insights.red_flags_per_week.get(w, 0) for w in weeks]
        plots["safety"] = _bar(weeks, series, "Triage outcomes and emergency replies per week")
    return plots


# ---------------------------------------------------------------- the page


def build(url: Any = None, days: int = DEFAULT_DAYS, now: Optional[float] = None) -> Insights:
    """Reads the store and computes the figures and plots for the last ``days`` days."""
    knowledge = load_knowledge()
    titles = {name: topic.title for name, topic in knowledge.topics.items()}
    since = (now or time.time()) - days * 86400
    conversations = [extract(sender, events, titles) for sender, events in
                     read_conversations(url or database_url(), since=since).items()]
    insights = summarise(conversations, titles, days, now)
    insights.plots = draw(insights)
    return insights


def render(insights: Insights, logout: bool = False) -> str:
    """The HTML page (autoescaped: patients' words cannot inject markup)."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                                     autoescape=jinja2.select_autoescape(["html"]))
    return environment.get_template("insights.html").render(insights=insights, logout=logout)


def main(argv: Optional[Iterable[str]] = None) -> int:
    """`make insights`: writes the page and prints the three largest groups of unanswered questions."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS)
    parser.add_argument("--out", type=Path, default=Path("reports/insights.html"))
    parser.add_argument("--db-url", default=None, help="SQLAlchemy URL (default: the conversation store)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    insights = build(args.db_url, args.days)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(insights), encoding="utf-8")
    print(f"{insights.conversations} conversations, {insights.messages} messages, {insights.unanswered} unanswered "
          f"in {len(insights.clusters)} groups (last {args.days} days); written to {args.out}")
    for i, cluster in enumerate(insights.clusters[:3], 1):
        print(f"  {i}. {cluster.count} x  e.g. {cluster.examples[0]!r}  (model guessed {cluster.guessed_intent})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
