"""The benchmark report: Markdown for reports/benchmark.md and the stdout summary."""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence

from bench import emergency_section, model_targets
from bench.formatting import mb, num, pct, plain_table, table
from bench.load import percentile
from evaluation import heldout as H

TARGETS_HEADING = "## Summary: targets"
PEERS_HEADING = "## Peers side by side"


# ------------------------------------------------------------------ rows


def latency_ms(latencies: Sequence[float], q: float) -> Optional[float]:
    """A percentile of per-parse latencies in ms."""
    return percentile(latencies, q) * 1000 if latencies else None


def peer_row(name: str, quality: Optional[Dict[str, Any]], latencies: Optional[Sequence[float]],
             train: Optional[Dict[str, Any]], model_bytes: Optional[int], note: str = "") -> Dict[str, Any]:
    """One line of the peers table."""
    row: Dict[str, Any] = {"model": name, "note": note, "model_bytes": model_bytes}
    if train:
        row.update(train_wall_s=train["wall_s"], train_cpu_s=train["cpu_s"], train_reused=train.get("reused"))
    if not quality:
        row["intent_accuracy"] = None
        return row
    row.update(
        intent_accuracy=quality["intent"]["accuracy"],
        macro_f1=quality["intent"]["macro_f1"],
        oos_rejection=quality["scope"]["oos_rejection"],
        in_scope_kept=quality["scope"]["in_scope_kept"],
        phone_accuracy=model_targets.phone_accuracy(quality),
        parse_p50_ms=latency_ms(latencies or [], 50),
        parse_p95_ms=latency_ms(latencies or [], 95),
        n_parses=len(latencies or []),
    )
    # The peer table shows the newest emergency table and the tuned one; the emergency section lists every table.
    row.update(emergency_section.peer_figures(quality))
    return row


PEER_HEADERS = ["model", "intent acc.", "macro F1", "OOS rejected", "in-scope kept", "emergency recall (blind / tuned)",
                "emergency false alarms (blind / tuned)", "train time (wall / CPU)", "model size", "parse p50"]


def peer_cells(r: Dict[str, Any]) -> List[str]:
    """The peers-table cells of one row."""
    def em(kind: str) -> str:
        if r.get(f"emergency_recall_{kind}") is None:
            return "-"
        return f"{pct(r[f'emergency_recall_{kind}'])} ({r[f'emergency_misses_{kind}']} missed)"

    def fa(kind: str) -> str:
        if r.get(f"emergency_false_alarms_{kind}") is None:
            return "-"
        return f"{pct(r[f'emergency_false_alarms_{kind}'])} ({r[f'emergency_fa_n_{kind}']})"

    train = "-" if r.get("train_wall_s") is None else f"{r['train_wall_s']:.0f} s / {r['train_cpu_s']:.0f} s"
    if r.get("train_reused"):
        train += " (reused)"
    if r.get("train_wall_s") is not None and r["train_wall_s"] < 10:
        train = f"{r['train_wall_s']:.1f} s / {r['train_cpu_s']:.1f} s"
    return [
        r["model"], pct(r.get("intent_accuracy")), num(r.get("macro_f1"), 3), pct(r.get("oos_rejection")),
        pct(r.get("in_scope_kept")), f"{em('blind')} / {em('tuned')}", f"{fa('blind')} / {fa('tuned')}",
        train, mb(r.get("model_bytes")),
        "-" if r.get("parse_p50_ms") is None else f"{r['parse_p50_ms']:.1f} ms",
    ]


def targets(R: Dict[str, Any]) -> List[List[str]]:
    """The model issue's targets (quality against every peer, costs with the previous model's), then safety's."""
    def wall_s(run: Optional[Dict[str, Any]]) -> Optional[float]:
        return run["wall_s"] if run and run["returncode"] == 0 else None

    rows = model_targets.quality_rows(R, pct)
    cold = next((t for t in R["training"].get("project", []) if t["name"] == "project cold"), None)
    mine = model_targets.cost_figures(R.get("live"), wall_s(cold))
    before = model_targets.cost_figures(R.get("live_previous"), wall_s(R["training"].get("previous")))
    for label, measured, target, previous, ratio, verdict in model_targets.cost_rows(mine, before):
        if previous != "-":
            measured += f" (previous model {previous}; ratio {ratio})"
        rows.append([label, measured, target, verdict])
    lv16 = model_targets.load_level(R.get("live"), 16)
    if lv16:
        rows.append(["throughput, 16 concurrent users", f"{lv16['throughput_msg_s']:.1f} msg/s, "
                     f"{lv16['errors']} errors", "> 40 msg/s, 0 errors",
                     "PASS" if lv16["throughput_msg_s"] > 40 and lv16["errors"] == 0 else "FAIL"])
    rows += emergency_section.targets(R, pct)
    return rows


# ---------------------------------------------------------------- markdown


def prf_cells(p: Any) -> List[str]:
    """Precision, recall, F1, support."""
    return [H.fmt(p.precision), H.fmt(p.recall), H.fmt(p.f1), str(p.support)]


def render(R: Dict[str, Any]) -> str:
    """The whole report."""
    L: List[str] = []
    add = L.append
    add("# Benchmark: myofascial release assistant\n")
    if R["smoke"]:
        add("> **SMOKE RUN** (`python -m bench --smoke`): a few questions and seconds of load, so the code "
            "cannot rot. These are not the real figures; run `make bench` for those.\n")
    add(f"Run {R['started']} to {R['finished']} ({R['total_s']:.0f} s), `{R['command']}`. "
        f"Machine: {R['machine']['nproc']} cores, {R['machine']['RAM']} RAM, Python {R['machine']['Python']}, "
        f"rasa {R['machine']['rasa']}. Project model: `{R['project_model']['path']}` "
        f"({mb(R['project_model']['bytes'])}, modified {R['project_model']['mtime']}).\n")

    add(TARGETS_HEADING + "\n")
    add(table(["figure", "measured", "target", "verdict"], targets(R)) + "\n")

    add(PEERS_HEADING + "\n")
    add("Same training data (`data/nlu.yml`, `data/nlu/*.yml`), same held-out sets, same run. Intent accuracy "
        "and macro F1 on the project's own held-out sentences; out-of-scope (OOS) rejection on its near-misses plus "
        "CLINC150 validation queries; in-scope kept = held-out topic questions not rejected as out of scope; "
        "emergency on the red-flag tables (blind = written later by someone who never saw the rules, the honest "
        "figure). Peers raise an emergency when their predicted intent is `emergency`; the project model with "
        "its full safety override. Parse p50: one message at a time, in process, over the own held-out sentences "
        f"(n={R.get('parse_latency_n')}), measured while nothing trained.\n")
    add(table(PEER_HEADERS, [peer_cells(r) for r in R["peers"]]) + "\n")
    for r in R["peers"]:
        if r.get("note"):
            add(f"- **{r['model']}**: {r['note']}")
    add("")
    if R.get("plots", {}).get("peers"):
        add(f"![peers]({R['plots']['peers']})\n")

    q = R["quality"].get("project")
    if q:
        add("## Quality of the project model (held-out data)\n")
        i = q["intent"]
        add(f"### Intents\n\nOwn held-out sentences, n={i['n']}: accuracy **{pct(i['accuracy'])}**, macro F1 "
            f"**{H.fmt(i['macro_f1'])}**; sent to \"Did you mean\" (nlu_fallback): {pct(q['fallback_rate'])}.\n")
        add(table(["style", "accuracy", "n"], [[s, pct(a), n] for s, (a, n) in q["intent_by_style"].items()]) + "\n")
        add(table(["intent", "precision", "recall", "F1", "n"],
                  [[name, *prf_cells(s)] for name, s in sorted(i["per_intent"].items())]) + "\n")
        if R.get("plots", {}).get("confusion"):
            add(f"![confusion matrix]({R['plots']['confusion']})\n")
        conf = i["confusions"].most_common(15)
        if conf:
            add("Most frequent confusions (true -> predicted: count): "
                + "; ".join(f"{g} -> {p}: {n}" for (g, p), n in conf) + "\n")

        for line in emergency_section.render(R, table, pct):
            add(line)

        add("### Slots\n")
        for tname, s in q["slots"].items():
            add(f"**{tname}**: negation cases wrongly filling a slot: {s['negation_false_fills']} of "
                f"{s['negation_cases']}.\n")
            add(table(["subset.slot", "precision", "recall", "F1", "n"],
                      [[k, *prf_cells(s[k])] for k in
                       ("all.symptoms", "all.risk_factors", "all.both", "negation.symptoms",
                        "negation.risk_factors", "negation.both")]) + "\n")
            alts = q.get("slot_alternatives", {}).get(tname) or {}
            if alts:
                add(table(["extractor", "F1", "F1 on negation cases", "negation false fills"],
                          [[n, H.fmt(v["f1"]), H.fmt(v["negation_f1"]), v["negation_false_fills"]]
                           for n, v in alts.items()]) + "\n")
            for err in s["errors"]:
                add(f"- SLOT ERROR ({tname}): {err['text']!r}: expected {err['expected']}, got {err['got']}")
            add("")

        sc = q["scope"]
        add("### Out of scope\n")
        add(f"Out-of-scope held-out messages n={sc['oos_n']} (own near-misses plus {q['clinc_n']} CLINC150 "
            f"validation queries): rejected **{pct(sc['oos_rejection'])}**, "
            f"sent to \"Did you mean\" {sc['oos_sent_to_did_you_mean']}, answered as a topic "
            f"{len(sc['oos_answered_as_topic'])}. In-scope topic questions n={sc['in_scope_n']}: kept "
            f"**{pct(sc['in_scope_kept'])}**, wrongly rejected {len(sc['in_scope_wrongly_rejected'])}.\n")
        for t in sc["oos_answered_as_topic"]:
            add(f"- OOS ANSWERED AS TOPIC: {t}")
        for t in sc["in_scope_wrongly_rejected"]:
            add(f"- IN-SCOPE REJECTED: {t}")
        add("")

    if R.get("robustness"):
        add("### Robustness (held-out in-scope questions, perturbed)\n")
        names = list(next(iter(R["robustness"].values()))["accuracy"])
        rows = []
        for model, rb in R["robustness"].items():
            rows.append([model, rb["n"]] + [
                pct(rb["accuracy"][k]) + ("" if k == "original" else f" ({round(-100 * rb['drop'][k], 1) + 0.0:+.1f})")
                for k in names])
        add(table(["model", "n", *names], rows) + "\n")
        ex = next(iter(R["robustness"].values()))["examples"]
        add("Accuracy (change in points against the original). Example of each perturbation: "
            + "; ".join(f"{k}: \"{v}\"" for k, v in ex.items()) + "\n")

    live = R.get("live") or {}
    conv = live.get("conversations")
    if conv:
        add("### Dialogue (held-out conversations against the live servers)\n")
        add(f"{conv['n_conversations']} conversations, {conv['n_turns']} turns: turn accuracy "
            f"**{pct(conv['turn_accuracy'])}**, whole-conversation success **{pct(conv['conversation_success'])}**.\n")
        for c in conv["per_conversation"]:
            for f in c["failures"]:
                add(f"- FAILED TURN ({c['name']}): {f['user']!r}: {'; '.join(f['problems'])}")
        add("")

    add("## Speed and cost\n")
    add("### Training\n")
    rows = []
    for t in [*R["training"].get("project", []), R["training"].get("previous"), R["training"].get("stock"),
              R["training"].get("tfidf")]:
        if not t:
            continue
        rows.append([t["name"], f"{t['wall_s']:.1f} s", f"{t['cpu_s']:.1f} s", mb(t["model_bytes"]),
                     mb(t.get("cache_bytes")), f"{t.get('background_cores', 0):.2f}", f"{t.get('other_cores', 0):.2f}",
                     ("exit " + str(t["returncode"]) if t["returncode"] else "ok") + (f"; {t['note']}" if t.get("note")
                                                                                    else "")])
    add(table(["run", "wall", "CPU (user+sys)", "model file", "cache", "stock peer training beside it (cores)",
               "other work on the machine (cores)", "note"], rows) + "\n")
    add("Cores, from /proc/stat and /proc/<pid>/stat: CPU time per second of wall time. The stock peer trains at "
        "nice 19, so it only gets CPU the run leaves idle; other work is everything else on the machine (for the "
        "stock peer itself: the rest of this benchmark included). Anything above 0 may have slowed the wall time "
        "down; CPU seconds are less sensitive to it.\n")
    for n in R["training"].get("notes", []):
        add(f"- {n}")
    add("")

    if live:
        add("### Servers\n")
        rows = [["start to ready (`/status` has a model, action server `/health` answers)", f"{live['ready_s']:.1f} s"],
                ["start to first answer (both servers started, first webhook reply)",
                 f"{live['first_answer_s']:.1f} s"]]
        for label, key in (("after start", "rss_after_start_mb"), ("after warm-up", "rss_after_warmup_mb"),
                           ("after load", "rss_after_load_mb")):
            v = live.get(key)
            if v:
                rows.append([f"RSS {label}: Rasa server / action server",
                             f"{v['rasa']:.0f} MB / {v['actions']:.0f} MB"])
        peaks = [lv["rss_peak_mb"] for lv in live.get("load", []) if lv["rss_peak_mb"]]
        if peaks:
            rasa_peak = max(p.get("rasa", 0) for p in peaks)
            actions_peak = max(p.get("actions", 0) for p in peaks)
            rows.append(["RSS peak under load: Rasa server / action server",
                         f"{rasa_peak:.0f} MB / {actions_peak:.0f} MB"])
        add(table(["figure", "value"], rows) + "\n")

        add("### Latency under load\n")
        add(f"Closed-loop asyncio + httpx clients on 127.0.0.1 (same machine, so they share its "
            f"{R['machine']['nproc']} cores with the servers). Webhook: one held-out topic question per request, a new "
            f"sender for every request (so each is the first message of a conversation: session start, disclaimer, "
            f"NLU, rules, action server, SQLite tracker). Floor: the REST channel's `GET /webhooks/rest/`.\n")
        rows = [[lv["target"], lv["users"], f"{lv['elapsed_s']:.1f} s", lv["requests_ok"], lv["errors"],
                 f"{lv['throughput_msg_s']:.1f}", f"{lv['p50_ms']:.1f}", f"{lv['p95_ms']:.1f}", f"{lv['p99_ms']:.1f}",
                 f"{lv['max_ms']:.1f}", f"{lv['server_cpu_cores']:.2f}", cpu_ms_per_message(lv),
                 f"{lv['generator_cpu_cores']:.2f}",
                 f"{lv['background_cpu_cores']:.2f}", f"{lv['other_cpu_cores']:.2f}"]
                for lv in live.get("load", [])]
        add(table(["target", "users", "time", "answered", "errors", "msg/s", "p50 ms", "p95 ms", "p99 ms", "max ms",
                   "servers' CPU (cores)", "servers' CPU per answer (ms)", "load generator CPU (cores)",
                   "stock peer training (nice 19, cores)", "other work (cores)"], rows) + "\n")
        add("CPU columns in cores (2 = the whole machine). Servers: the Rasa and action servers together; load "
            "generator: this Python process (asyncio + httpx), which shares the machine with the servers; stock "
            "peer training: the benchmark's own background training at nice 19 (frozen for the floor, so it only "
            "takes CPU the servers leave idle); other work: everything else on the machine (from /proc/stat). "
            "When the servers' CPU stays low while the "
            "generator's is high (the floor at many users), the figure is the generator's limit, not the "
            "server's.\n")
        for lv in live.get("load", []):
            if lv["error_kinds"]:
                add(f"- errors at {lv['users']} users ({lv['target']}): {lv['error_kinds']}")
        if R.get("plots", {}).get("latency"):
            add(f"\n![latency histogram]({R['plots']['latency']})\n")
        add(profile_section(live.get("profile")))

    add("## How this was measured\n")
    for c in R["commands"]:
        add(f"- `{c}`")
    for n in R["notes"]:
        add(f"- {n}")
    add("\n## Machine\n")
    add(table(["", ""], [[k, v] for k, v in R["machine"].items()]) + "\n")
    add("Stage durations: " + ", ".join(f"{k} {v:.0f} s" for k, v in R["stage_s"].items()) + "\n")
    return "\n".join(L)


def cpu_ms_per_message(lv: Dict[str, Any]) -> str:
    """Both servers' CPU time per answered request, in ms (Little's law links it to latency at a fixed load)."""
    if not lv["requests_ok"]:
        return "-"
    return f"{lv['server_cpu_cores'] * lv['elapsed_s'] / lv['requests_ok'] * 1000:.1f}"


def profile_section(profile: Optional[Dict[str, Any]]) -> str:
    """Where the Rasa server's time goes (py-spy), with what was done about it."""
    out = ["### Where the Rasa server's time goes\n"]
    if not profile:
        return ""
    if profile.get("error"):
        out.append(f"Not profiled: {profile['error']}.\n")
        return "\n".join(out)
    out.append(
        f"py-spy on the running Rasa server (`--gil`: only samples while Python runs, so waiting does not count), "
        f"during an extra {profile['duration_s']:.0f} s webhook level at {profile['users']} users "
        f"({profile['throughput_msg_s']:.1f} msg/s, {profile['samples']} samples; separate from the levels above "
        f"so the sampler cannot change their figures). Code in `bench/profiler.py`.\n")
    out.append(table(["part of the server", "share of its Python time"],
                     [[k, pct(v)] for k, v in profile["shares"].items()]) + "\n")
    out.append(
        "Fixed after profiling (see the modules for the figures): Rasa 3.6 re-checked the action reply schema"
        " against the JSON-Schema meta-schema on every reply, about half of the server's time "
        "(`server/action_validation.py` prepares it once and remembers each distinct event's verdict); full"
        " garbage-collection passes over the millions of start-up objects doubled the p99 (`server/startup.py`"
        " freezes them after start); the slot-update call to the action server after every message is skipped "
        "when the message names no symptom or risk factor (`server/slot_validation.py`). What is left is "
        "Rasa's own path: SQLAlchemy's tracker store (no longer counting a conversation's stored events before "
        "every save: `server/sql_tracker_store.py`), two action-server calls for a new conversation "
        "(session start, answer), the spaCy pipeline and the intent classifier "
        "(a first message also pays for the session start). With one server process on one event loop, latency "
        "at N closed-loop users is about N divided by the throughput (Little's law), so p95 under 150 ms at "
        "16 users needs about 110 answers per second: several Rasa processes (the scale-out set-up in "
        "`deploy/`), not a faster single one.\n")
    return "\n".join(out)


def summary_text(R: Dict[str, Any]) -> str:
    """What `python -m bench` prints at the end."""
    lines = ["", "Benchmark summary" + (" (SMOKE)" if R["smoke"] else ""), ""]
    lines.append(plain_table(["figure", "measured", "target", "verdict"], targets(R)))
    lines.append("")
    lines.append(plain_table(PEER_HEADERS, [peer_cells(r) for r in R["peers"]]))
    live = R.get("live") or {}
    if live.get("load"):
        lines.append("")
        lines.append(plain_table(
            ["target", "users", "answered", "errors", "msg/s", "p50 ms", "p95 ms", "p99 ms"],
            [[lv["target"], lv["users"], lv["requests_ok"], lv["errors"], f"{lv['throughput_msg_s']:.1f}",
              f"{lv['p50_ms']:.1f}", f"{lv['p95_ms']:.1f}", f"{lv['p99_ms']:.1f}"] for lv in live["load"]]))
    if live.get("conversations"):
        c = live["conversations"]
        lines.append(f"\nDialogue: turn accuracy {pct(c['turn_accuracy'])}, conversation success "
                     f"{pct(c['conversation_success'])} ({c['n_conversations']} conversations)")
    lines.append(f"\nReport: {R['report_path']}  ({R['total_s']:.0f} s)")
    return "\n".join(lines)
