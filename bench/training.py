"""Training: the project model cold and warm, the stock `rasa init` peer, TF-IDF + LR.

Nothing here touches models/mfr.tar.gz: timing runs train into temporary
directories and the peers into build/bench/ (gitignored).
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import resource
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from evaluation.live import ROOT, VENV_BIN, server_env

BUILD = ROOT / "build" / "bench"
LOGS = BUILD / "logs"
STOCK_CONFIG = BUILD / "stock_config.yml"
STOCK_DIR = BUILD / "stock"
STOCK_MODEL = STOCK_DIR / "stock_nlu.tar.gz"
STOCK_META = STOCK_DIR / "meta.json"
TFIDF_MODEL = BUILD / "tfidf_lr.pkl"

# The pipeline and policies `rasa init` writes (Rasa 3.6), written out in full.
STOCK_CONFIG_TEXT = """\
# Rasa 3.6 `rasa init` default pipeline and policies, written out in full
# (written by bench/training.py; the benchmark's stock peer).
recipe: default.v1
assistant_id: stock-rasa-init
language: en
pipeline:
  - name: WhitespaceTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


def nlu_training_files() -> List[Path]:
    """The project's NLU training files: data/nlu.yml and data/nlu/*.yml."""
    return [ROOT / "data" / "nlu.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml"))]


def loadavg() -> str:
    """The 1-minute load average (other work on the machine skews timings)."""
    return Path("/proc/loadavg").read_text().split()[0]


def dir_size(path: Path) -> int:
    """Bytes of every file under ``path``."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


@dataclass
class TrainRun:
    """One training command and what it cost."""

    name: str
    command: str
    wall_s: float
    cpu_s: float
    model_bytes: int
    returncode: int
    load_before: str
    load_after: str
    log: str
    cache_bytes: int = 0
    reused: bool = False
    note: str = ""


def _timed(cmd: List[str], env: Dict[str, str], log: Path) -> Tuple[float, float, int]:
    """Runs a command; (wall seconds, CPU seconds of it and its children, return code)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    with open(log, "wb") as f:
        rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, check=False).returncode
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rc


def train_project_cold_and_warm() -> List[TrainRun]:
    """`rasa train` twice with one fresh, empty cache: cold, then warm (cache hit)."""
    runs = []
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        cache = Path(tmp) / "cache"
        cache.mkdir()
        env = server_env(RASA_CACHE_DIRECTORY=str(cache))
        for name in ("cold", "warm"):
            out = Path(tmp) / name
            cmd = [str(VENV_BIN / "rasa"), "train", "--out", str(out), "--fixed-model-name", "mfr"]
            log = LOGS / f"train_{name}.log"
            load_before = loadavg()
            wall, cpu, rc = _timed(cmd, env, log)
            model = out / "mfr.tar.gz"
            runs.append(TrainRun(
                name=f"project {name}", command=" ".join(["rasa", *cmd[1:]]).replace(tmp, "$TMP"),
                wall_s=wall, cpu_s=cpu, model_bytes=model.stat().st_size if model.exists() else 0,
                returncode=rc, load_before=load_before, load_after=loadavg(), log=str(log.relative_to(ROOT)),
                cache_bytes=dir_size(cache),
            ))
            if rc != 0:
                break
    return runs


def _fingerprint(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(hashlib.sha256(p).digest())
    return h.hexdigest()


def stock_fingerprint() -> str:
    """Changes when the stock config, the training data or the Rasa version change."""
    from importlib.metadata import version

    files = [p.read_bytes() for p in nlu_training_files()]
    return _fingerprint(STOCK_CONFIG_TEXT.encode(), version("rasa").encode(), *files)


def train_stock(retrain: bool = False) -> TrainRun:
    """`rasa train nlu` with the stock config on the project's data (reused when inputs are unchanged)."""
    BUILD.mkdir(parents=True, exist_ok=True)
    STOCK_CONFIG.write_text(STOCK_CONFIG_TEXT)
    fingerprint = stock_fingerprint()
    if not retrain and STOCK_META.exists() and STOCK_MODEL.exists():
        meta = json.loads(STOCK_META.read_text())
        if meta.get("fingerprint") == fingerprint and meta.get("run", {}).get("returncode") == 0:
            run = TrainRun(**meta["run"])
            run.reused = True
            run.note = f"reused: trained {meta['trained_at']} on identical inputs; times measured then"
            return run
    if STOCK_DIR.exists():
        shutil.rmtree(STOCK_DIR)
    STOCK_DIR.mkdir(parents=True)
    # A fresh empty cache, like the project's cold run.
    with tempfile.TemporaryDirectory(prefix="bench-stock-cache-") as cache:
        cmd = [
            str(VENV_BIN / "rasa"), "train", "nlu", "--config", str(STOCK_CONFIG.relative_to(ROOT)),
            "--nlu", "data", "--out", str(STOCK_DIR.relative_to(ROOT)), "--fixed-model-name", "stock_nlu",
        ]
        log = LOGS / "train_stock.log"
        load_before = loadavg()
        wall, cpu, rc = _timed(cmd, server_env(RASA_CACHE_DIRECTORY=cache), log)
    run = TrainRun(
        name="stock rasa init (NLU only)", command=" ".join(["rasa", *cmd[1:]]), wall_s=wall, cpu_s=cpu,
        model_bytes=STOCK_MODEL.stat().st_size if STOCK_MODEL.exists() else 0, returncode=rc,
        load_before=load_before, load_after=loadavg(), log=str(log.relative_to(ROOT)),
    )
    if rc == 0:
        STOCK_META.write_text(json.dumps(
            {"fingerprint": fingerprint, "trained_at": time.strftime("%Y-%m-%d %H:%M"), "run": asdict(run)},
            indent=2))
    return run


def training_examples() -> List[Tuple[str, str]]:
    """(text, intent) of every training example, read by Rasa's own loader."""
    from rasa.shared.nlu.training_data.loading import load_data

    out = []
    for path in nlu_training_files():
        for m in load_data(str(path)).intent_examples:
            out.append((m.get("text"), m.get("intent")))
    return out


def tfidf_pipeline() -> Any:
    """Word 1-2 grams + char_wb 2-5 TF-IDF into a logistic regression (fixed settings, not tuned)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline
    from sklearn.feature_extraction.text import TfidfVectorizer

    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)),
    ])
    return Pipeline([("features", features), ("lr", LogisticRegression(C=10.0, max_iter=3000))])


def train_tfidf(examples: Optional[List[Tuple[str, str]]] = None) -> Tuple[Any, TrainRun]:
    """Fits TF-IDF + LR in this process and pickles it to build/bench/."""
    examples = examples if examples is not None else training_examples()
    pipe = tfidf_pipeline()
    load_before = loadavg()
    t0, c0 = time.monotonic(), time.process_time()
    pipe.fit([t for t, _ in examples], [i for _, i in examples])
    wall, cpu = time.monotonic() - t0, time.process_time() - c0
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(TFIDF_MODEL, "wb") as f:
        pickle.dump(pipe, f)
    run = TrainRun(
        name="TF-IDF + LogisticRegression", command="bench.training.train_tfidf (in process)",
        wall_s=wall, cpu_s=cpu, model_bytes=TFIDF_MODEL.stat().st_size, returncode=0,
        load_before=load_before, load_after=loadavg(), log="", note=f"{len(examples)} training examples",
    )
    return pipe, run


def cpu_count() -> int:
    """Cores this process may use."""
    return len(os.sched_getaffinity(0))
