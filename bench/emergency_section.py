"""The benchmark report's emergency section: every table, each detector alone and together, and the peers."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Mapping, Sequence

from evaluation import emergency as E

VARIANTS = {
    "model": "project model (both detectors, intent classifier, screen)",
    "both": "rules + learned detector",
    "rules": "red-flag rules alone",
    "learned": "learned detector alone",
}


def newest(quality: Mapping[str, Any]) -> str:
    """The table the peers are compared on: the blind one when present, else the newest used one."""
    return E.newest_table(quality["emergency"])


def render(R: Mapping[str, Any], table: Callable[[Sequence[str], Sequence[Sequence[Any]]], str],
           pct: Callable[[Any], str]) -> List[str]:
    """Markdown lines of the section."""
    q = R["quality"]["project"]
    lines = ["### Emergencies\n",
             "Each table: the project model as it runs (parse data), and without the intent classifier: the "
             "red-flag rules alone, the learned detector alone (its screen band included) and both. \"Reply\" is "
             "the emergency reply; \"screen\" the red-flag screen question; hard negatives are messages that share "
             "words with emergencies but are not ones. Tables other than `blind_*` were used for development after "
             "their first use, so their figures are optimistic; the README lists each table's first-use figure.\n"]
    rows = []
    for tname, variants in q["emergency"].items():
        for vname in VARIANTS:
            e = variants.get(vname)
            if e is None:
                continue
            rows.append([tname, VARIANTS[vname], f"{pct(e['reply_recall'])} of {e['positives']}",
                         pct(e["reply_or_screen_recall"]), f"{pct(e['negative_reply_rate'])} of {e['negatives']}",
                         pct(e["negative_screen_rate"])])
    lines.append(table(["table", "detector", "emergencies: reply", "reply or screen", "hard negatives: reply",
                        "hard negatives: screen"], rows) + "\n")
    name = newest(q)
    reports: Dict[str, Any] = {VARIANTS[v]: q["emergency"][name][v] for v in ("rules", "learned", "both", "model")}
    for peer, pq in R["quality"].items():
        if peer != "project" and pq and name in pq.get("emergency", {}):
            reports[f"peer: {peer}"] = pq["emergency"][name]["model"]
    lines.append(f"Per kind on `{name}` (emergency reply):\n")
    lines.append(table(["kind", *reports], E.per_kind_table(reports)) + "\n")
    style_rows = [[style, *(pct(r["per_style"].get(style, {}).get("rate")) for r in reports.values())]
                  for style in ("web", "messaging", "phone")]
    lines.append(table(["style", *reports], style_rows) + "\n")
    model = q["emergency"][name]["model"]
    for m in model["misses"]:
        lines.append(f"- MISS ({name}, {m['kind']}, {m['style']}, got {m['decision']}): {m['text']} "
                     f"— detectors: {m['detectors']}")
    for m in model["false_alarms"]:
        lines.append(f"- FALSE ALARM ({name}, {m['type']}, {m['style']}): {m['text']} — detectors: {m['detectors']}")
    sn = q.get("screen_or_net_on_topic_questions") or {}
    lines.append(f"\nEmergency predicted for non-emergency held-out NLU sentences: {pct(q['emergency_on_nlu_set'])}; "
                 f"screen or safety net on ordinary held-out topic questions: {pct(sn.get('rate'))} "
                 f"of {sn.get('n')}.\n")
    return lines


def peer_figures(quality: Mapping[str, Any]) -> Dict[str, Any]:
    """The peers table's emergency columns for one model (the newest table and the tuned one)."""
    out: Dict[str, Any] = {}
    for key, tname in (("blind", newest(quality)), ("tuned", "red_flags.yml")):
        e = quality["emergency"].get(tname, {}).get("model")
        if e is None:
            continue
        out.update({
            f"emergency_recall_{key}": e["reply_recall"],
            f"emergency_false_alarms_{key}": e["negative_reply_rate"],
            f"emergency_misses_{key}": len(e["misses"]),
            f"emergency_fa_n_{key}": len(e["false_alarms"]),
            f"emergency_pos_{key}": e["positives"],
            f"emergency_neg_{key}": e["negatives"],
        })
    return out


def cost_ms(texts: Sequence[str], repeats: int = 3) -> Dict[str, float]:
    """Per-message CPU time of each detector, in process (median of ``repeats`` passes, ms per message).

    `added` is what this issue added to every message: the learned detector's
    score and kind and the decision; the rules ran before it too.
    """
    import statistics
    import time

    from mfr import emergency_detector, safety
    from mfr.red_flags import detect_red_flags

    detector = emergency_detector.load()
    kinds = safety.default_kinds()
    thresholds = (detector.thresholds.emergency, detector.thresholds.screen)

    def rules() -> None:
        for t in texts:
            detect_red_flags(t)

    def added() -> None:
        for t in texts:
            score, guess = detector.assess(t)
            safety.decide([], score, thresholds, guess, None, False, kinds)

    out = {}
    for name, fn in (("rules", rules), ("added", added)):
        runs = []
        for _ in range(repeats):
            started = time.process_time()
            fn()
            runs.append(1000 * (time.process_time() - started) / max(1, len(texts)))
        out[name] = statistics.median(runs)
    return out


def targets(R: Mapping[str, Any], pct: Callable[[Any], str]) -> List[List[str]]:
    """The emergency targets (issue 9) on the newest table, measured and judged."""
    q = (R.get("quality") or {}).get("project")
    if not q:
        return []
    name = newest(q)
    e = q["emergency"][name]["model"]
    rows = []

    def add(figure: str, value: Any, shown: str, target: str, ok: bool) -> None:
        rows.append([f"{figure} (`{name}`)" if "table" not in figure else figure, shown, target,
                     "n/a" if value is None else ("PASS" if ok else "FAIL")])

    rr, rs = e["reply_recall"], e["reply_or_screen_recall"]
    add("emergencies given the emergency reply", rr, pct(rr), ">= 97 %", rr is not None and rr >= 0.97)
    worst = min(e["per_kind"].items(), key=lambda kv: kv[1]["rate"]) if e["per_kind"] else None
    if worst:
        add("worst kind, emergency reply", worst[1]["rate"], f"{worst[0]}: {pct(worst[1]['rate'])}", ">= 90 %",
            worst[1]["rate"] >= 0.90)
    add("emergencies given the reply or the screen", rs, pct(rs), ">= 99.5 %", rs is not None and rs >= 0.995)
    hr, hs = e["negative_reply_rate"], e["negative_screen_rate"]
    add("hard negatives given the emergency reply", hr, pct(hr), "<= 3 %", hr is not None and hr <= 0.03)
    add("hard negatives given the screen", hs, pct(hs), "<= 20 %", hs is not None and hs <= 0.20)
    sn = (q.get("screen_or_net_on_topic_questions") or {}).get("rate")
    rows.append(["ordinary held-out topic questions given the screen or the safety net", pct(sn), "<= 5 %",
                 "n/a" if sn is None else ("PASS" if sn <= 0.05 else "FAIL")])
    styles = e["per_style"]
    if "phone" in styles and "web" in styles:
        gap = styles["web"]["rate"] - styles["phone"]["rate"]
        add("phone rows below web rows (emergency reply)", gap, f"{100 * gap:+.1f} points", "<= 3 points",
            gap <= 0.03)
    cost = R.get("emergency_cost_ms")
    if cost:
        rows.append(["added CPU per message (learned detector + decision; rules "
                     f"{cost['rules']:.2f} ms beside it)", f"{cost['added']:.2f} ms", "<= 3 ms",
                     "PASS" if cost["added"] <= 3 else "FAIL"])
    return rows
