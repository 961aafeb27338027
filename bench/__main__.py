"""``python -m bench [--smoke] [--out reports]``: the benchmark (``make bench``).

Full run (about 10 to 14 minutes on 2 cores): trains the project config cold and
warm into temporary directories, trains the stock ``rasa init`` pipeline (NLU
only) and a TF-IDF + logistic regression peer into build/bench/, scores all
three on the same held-out sets, starts the real servers for start-up time,
memory, held-out conversations and load, then writes ``<out>/benchmark.md``,
``<out>/benchmark.json`` and PNG plots, and prints a summary table.

``--smoke``: a few questions, about 2 s of load at 1 and 4 users, no training
but the seconds-long TF-IDF peer; written to build/bench/smoke unless --out is
given. The test suite runs it (tests/bench/test_bench_smoke.py).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from evaluation import heldout as H  # noqa: E402
from evaluation.live import MODEL  # noqa: E402

from bench import plots, report  # noqa: E402
from bench import training as T  # noqa: E402
from bench.machine import machine_info  # noqa: E402
from bench.models import RasaPredictor, SklearnPredictor  # noqa: E402
from bench.quality import evaluate_with, own_nlu_cases, robustness  # noqa: E402

PROJECT = "project (models/mfr.tar.gz)"
STOCK = "stock `rasa init` config (NLU only)"
TFIDF = "TF-IDF + LogisticRegression"


def log(msg: str) -> None:
    """Progress on stderr (stdout carries the summary)."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def parse_args(argv: Optional[List[str]] = None) -> argparse.Namespace:
    """The command line."""
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="a few questions and seconds of load (the test suite's run)")
    p.add_argument("--out", type=Path, default=None, help="report folder (default reports/, smoke: build/bench/smoke)")
    p.add_argument("--users", default=None, help="concurrent users per load level (default 1,16,64; smoke 1,4)")
    p.add_argument("--duration", type=float, default=None, help="seconds per webhook load level (default 20; smoke 2)")
    p.add_argument("--floor-duration", type=float, default=None,
                   help="seconds per floor load level (default 10; smoke 1)")
    p.add_argument("--retrain-peers", action="store_true",
                   help="retrain the stock peer even when its inputs are unchanged since its last training")
    p.add_argument("--skip-train", action="store_true", help="skip the cold/warm project training runs")
    p.add_argument("--skip-stock", action="store_true", help="leave the stock `rasa init` peer out")
    p.add_argument("--skip-live", action="store_true", help="do not start the servers")
    a = p.parse_args(argv)
    a.out = a.out or (ROOT / "build" / "bench" / "smoke" if a.smoke else ROOT / "reports")
    a.users = [int(x) for x in (a.users or ("1,4" if a.smoke else "1,16,64")).split(",")]
    a.duration = a.duration if a.duration is not None else (2.0 if a.smoke else 20.0)
    a.floor_duration = a.floor_duration if a.floor_duration is not None else (1.0 if a.smoke else 10.0)
    return a


def quiet() -> None:
    """Rasa's structured logs at WARNING and no library warnings (stdout carries the summary)."""
    import logging
    import warnings

    for category in (DeprecationWarning, PendingDeprecationWarning, UserWarning, FutureWarning):
        warnings.filterwarnings("ignore", category=category)
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)


def main(argv: Optional[List[str]] = None) -> int:
    """Runs the benchmark; 0 when every stage ran (targets may still fail: see the report)."""
    args = parse_args(argv)
    quiet()
    args.out.mkdir(parents=True, exist_ok=True)
    t_start = time.monotonic()
    stage_s: Dict[str, float] = {}

    def stage(name: str, fn: Callable[[], Any]) -> Any:
        log(f"{name} ...")
        t0 = time.monotonic()
        try:
            return fn()
        finally:
            stage_s[name] = time.monotonic() - t0
            log(f"{name}: {stage_s[name]:.1f} s")

    cmd = "python -m bench " + " ".join(sys.argv[1:] if argv is None else argv)
    R: Dict[str, Any] = {
        "smoke": args.smoke, "command": cmd.strip(), "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        "machine": machine_info(), "training": {"notes": []}, "quality": {}, "robustness": {}, "peers": [],
        "notes": [], "commands": [cmd.strip()], "plots": {}, "stage_s": stage_s,
        "project_model": {"path": str(MODEL.relative_to(ROOT)), "bytes": MODEL.stat().st_size,
                          "mtime": time.strftime("%Y-%m-%d %H:%M", time.localtime(MODEL.stat().st_mtime))},
    }
    failed: List[str] = []

    # 1. Training (nothing else runs meanwhile: these are timings).
    if args.smoke or args.skip_train:
        R["training"]["notes"].append("Cold/warm training of the project config skipped"
                                      + (" (smoke run)." if args.smoke else " (--skip-train)."))
    else:
        R["training"]["project"] = [vars(r) for r in stage("train project cold+warm", T.train_project_cold_and_warm)]
        R["commands"] += [f"RASA_CACHE_DIRECTORY=$TMP/cache {r['command']}" for r in R["training"]["project"]]
        failed += [r["name"] for r in R["training"]["project"] if r["returncode"]]
    stock_run = None
    if args.smoke or args.skip_stock:
        R["training"]["notes"].append("Stock `rasa init` peer skipped" + (" (smoke run)." if args.smoke else "."))
    else:
        stock_run = stage("train stock peer", lambda: T.train_stock(retrain=args.retrain_peers))
        R["training"]["stock"] = vars(stock_run)
        R["commands"].append(f"RASA_CACHE_DIRECTORY=$EMPTY_TMP {stock_run.command}")
        if stock_run.returncode:
            failed.append("stock training")
    tfidf_pipe, tfidf_run = stage("train TF-IDF peer", T.train_tfidf)
    R["training"]["tfidf"] = vars(tfidf_run)

    # 2. Quality, the same held-out sets for every model.
    project = stage("load project model", lambda: RasaPredictor(PROJECT, MODEL).load())
    R["quality"]["project"] = stage("quality: project", lambda: evaluate_with(project, smoke=args.smoke))
    R["robustness"][PROJECT] = stage("robustness: project", lambda: robustness(project, smoke=args.smoke))
    project = None  # frees the agent before the next one loads
    predictors: List[Any] = []
    if stock_run is not None and stock_run.returncode == 0:
        predictors.append(("stock", RasaPredictor(STOCK, T.STOCK_MODEL).load()))
    predictors.append(("tfidf", SklearnPredictor(TFIDF, tfidf_pipe)))
    for key, pred in predictors:
        R["quality"][key] = stage(f"quality: {key}",
                                  lambda p=pred: evaluate_with(p, smoke=args.smoke, slot_alternatives=False))
        R["robustness"][pred.name] = stage(f"robustness: {key}", lambda p=pred: robustness(p, smoke=args.smoke))
    del predictors
    gc.collect()

    cold = next((r for r in R["training"].get("project", []) if r["name"] == "project cold"), None)
    spacy_dir = ROOT / "build" / "spacy_en_mfr"
    R["peers"].append(report.peer_row(
        PROJECT, R["quality"]["project"], cold, MODEL.stat().st_size,
        note=f"the model `make train` built; train time is this run's cold `rasa train` of the same config and data. "
             f"Size excludes the spaCy pipeline folder it loads ({report.mb(T.dir_size(spacy_dir))}, "
             f"build/spacy_en_mfr). Full NLU + dialogue model."))
    if stock_run is not None:
        R["peers"].append(report.peer_row(
            STOCK, R["quality"].get("stock"), vars(stock_run), stock_run.model_bytes,
            note="trained with `rasa train nlu` on the same data: NLU only is enough for intent figures, so its "
                 "policies (TED, UnexpecTED) are neither trained nor counted in its time or size. "
                 "Emergency = predicted intent `emergency`. " + (stock_run.note or "")))
    else:
        R["peers"].append(report.peer_row(STOCK, None, None, None, note="not run" + (" (smoke)" if args.smoke else "")))
    R["peers"].append(report.peer_row(
        TFIDF, R["quality"]["tfidf"], vars(tfidf_run), tfidf_run.model_bytes,
        note=f"scikit-learn: word 1-2 grams + char_wb 2-5 TF-IDF (sublinear tf), LogisticRegression C=10; fixed "
             f"settings, not tuned on held-out data; {tfidf_run.note}; pickled size. No fallback, so it never "
             f"says \"Did you mean\". Emergency = predicted intent `emergency`."))

    # 3. Live servers.
    if not args.skip_live:
        from bench.live import run_live

        questions = [c.text for c in own_nlu_cases(smoke=False) if c.intent in H.TOPIC_INTENTS]
        try:
            R["live"] = stage("live servers", lambda: run_live(
                questions, args.users, args.duration, args.floor_duration,
                n_conversations=2 if args.smoke else 0))
        except Exception as e:
            log(f"live stage failed: {e!r}")
            failed.append(f"live servers: {e!r}")
            R["live"] = {}
        R["commands"] += [
            "rasa run actions --port <free port> --actions actions",
            "rasa run --model models/mfr.tar.gz --endpoints <tmp>/endpoints.yml (SQLite tracker in <tmp>) "
            "--credentials credentials.yml --port <free port> --enable-api --auth-token <token> --cors ...",
        ]
        if R["live"].get("load"):
            levels = R["live"]["load"]
            plots.latency_histogram_png(levels, args.out / "latency_histogram.png")
            R["plots"]["latency"] = "latency_histogram.png"
            R["live"]["load"] = [lv.summary() for lv in levels]

    # 4. Plots, report, summary.
    pairs = R["quality"]["project"]["own_pairs"]
    plots.confusion_matrix_png(pairs, args.out / "confusion_matrix.png",
                               f"{PROJECT}: own held-out sentences (n={len(pairs)})")
    R["plots"]["confusion"] = "confusion_matrix.png"
    plots.peers_png(R["peers"], args.out / "peers.png")
    R["plots"]["peers"] = "peers.png"
    R["notes"] += [
        "Quality figures come from `evaluation.quality.evaluate` (the code behind `make evaluate`) with its parser "
        "swapped for the model under test, so all three models are scored by the same code on the same sets.",
        "Robustness: the held-out in-scope topic questions with seeded machine-made typos (about one letter swap or "
        "drop per 25 characters), lower-cased, punctuation dropped, and all three together.",
        "Timings share the machine with whatever else runs on it: the load average before/after each training "
        "run is in the training table; CPU seconds are less sensitive to that than wall time.",
        "Nothing is downloaded at run time; every server listens on 127.0.0.1 only.",
    ]
    R["failed"] = failed
    R["finished"] = time.strftime("%Y-%m-%d %H:%M:%S")
    R["total_s"] = time.monotonic() - t_start
    md_path = args.out / "benchmark.md"
    R["report_path"] = str(md_path)
    md_path.write_text(report.render(R), encoding="utf-8")
    for q in R["quality"].values():
        q["parse_latency_ms"] = {k: report.latency_ms(q["parse_latencies_s"], p)
                                 for k, p in (("p50", 50), ("p95", 95), ("p99", 99))}
        del q["parse_latencies_s"]
    (args.out / "benchmark.json").write_text(json.dumps(report.jsonable(R), indent=2, default=str), encoding="utf-8")
    print(report.summary_text(R))
    if failed:
        log(f"stages that failed: {failed}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
