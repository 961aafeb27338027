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
import signal
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from bench.machine import OtherLoad, proc_cpu_s, tree
from harness.servers import VENV_BIN, server_env
from mfr.settings import ROOT

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
    other_cores: float = 0.0
    background_cores: float = 0.0
    reused: bool = False
    note: str = ""


def _timed(
    cmd: List[str], env: Dict[str, str], log: Path, background_cpu: Callable[[], float] = lambda: 0.0,
) -> Tuple[float, float, int, float, float]:
    """Runs a command: wall s, CPU s of it and its children, return code, other work and our background (cores)."""
    log.parent.mkdir(parents=True, exist_ok=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    others, bg0 = OtherLoad(), background_cpu()
    start = time.monotonic()
    with open(log, "wb") as f:
        rc = subprocess.run(cmd, cwd=ROOT, env=env, stdout=f, stderr=subprocess.STDOUT, check=False).returncode
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    bg = background_cpu() - bg0
    return wall, cpu, rc, others.cores(cpu + bg, wall), bg / wall if wall else 0.0


def train_project_cold_and_warm(background_cpu: Callable[[], float] = lambda: 0.0) -> List[TrainRun]:
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
            wall, cpu, rc, other, background = _timed(cmd, env, log, background_cpu)
            model = out / "mfr.tar.gz"
            runs.append(TrainRun(
                name=f"project {name}", command=" ".join(["rasa", *cmd[1:]]).replace(tmp, "$TMP"),
                wall_s=wall, cpu_s=cpu, model_bytes=model.stat().st_size if model.exists() else 0,
                returncode=rc, load_before=load_before, load_after=loadavg(), log=str(log.relative_to(ROOT)),
                cache_bytes=dir_size(cache), other_cores=other, background_cores=background,
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


class StockTraining:
    """`rasa train nlu` with the stock config on the project's data, in the background.

    Reused without training when the stock config, the training data and the Rasa
    version are unchanged since the last successful run (``retrain`` forces it).
    """

    def __init__(self, retrain: bool = False, note: str = "", nice: int = 0) -> None:
        BUILD.mkdir(parents=True, exist_ok=True)
        self.paused_s = 0.0
        self._paused_at: Optional[float] = None
        STOCK_CONFIG.write_text(STOCK_CONFIG_TEXT)
        self.fingerprint = stock_fingerprint()
        self.note = note
        self.proc: Optional[subprocess.Popen] = None
        self.run: Optional[TrainRun] = None
        if not retrain and STOCK_META.exists() and STOCK_MODEL.exists():
            meta = json.loads(STOCK_META.read_text())
            if meta.get("fingerprint") == self.fingerprint and meta.get("run", {}).get("returncode") == 0:
                self.run = TrainRun(**meta["run"])
                self.run.reused = True
                self.run.note = (f"reused: trained {meta['trained_at']} on identical inputs (times measured then; "
                                 f"`--retrain-peers` retrains). {self.run.note}")
                return
        if STOCK_DIR.exists():
            shutil.rmtree(STOCK_DIR)
        STOCK_DIR.mkdir(parents=True)
        # A fresh empty cache, like the project's cold run.
        self._cache = tempfile.TemporaryDirectory(prefix="bench-stock-cache-")
        self.cmd = [
            str(VENV_BIN / "rasa"), "train", "nlu", "--config", str(STOCK_CONFIG.relative_to(ROOT)),
            "--nlu", "data", "--out", str(STOCK_DIR.relative_to(ROOT)), "--fixed-model-name", "stock_nlu",
        ]
        self.log = LOGS / "train_stock.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.load_before = loadavg()
        self._log_file = open(self.log, "wb")
        self.start = time.monotonic()
        self.others = OtherLoad()
        prefix = ["nice", "-n", str(nice)] if nice else []
        self.proc = subprocess.Popen(prefix + self.cmd, cwd=ROOT,
                                     env=server_env(RASA_CACHE_DIRECTORY=self._cache.name),
                                     stdout=self._log_file, stderr=subprocess.STDOUT)
        # No new session: with the kernel's autogroup scheduling, nice only ranks processes of one session,
        # so the training must share the benchmark's (and the servers') session for nice 19 to hold.

    @property
    def running(self) -> bool:
        """Training right now (not reused, not finished). Never reaps the process: wait() needs its rusage."""
        if self.proc is None or self.proc.returncode is not None:
            return False
        try:
            state = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return False
        return state != "Z"

    def cpu_s(self) -> float:
        """CPU seconds the training has used so far (0 once finished or when reused)."""
        return proc_cpu_s(tree(self.proc.pid)) if self.running and self.proc else 0.0

    def pause(self) -> None:
        """Freezes the training (SIGSTOP; one process, TensorFlow's threads included) during a measurement."""
        if self.running and self.proc and self._paused_at is None:
            os.kill(self.proc.pid, signal.SIGSTOP)
            self._paused_at = time.monotonic()

    def resume(self) -> None:
        """Lets a paused training go on."""
        if self.proc and self._paused_at is not None:
            os.kill(self.proc.pid, signal.SIGCONT)
            self.paused_s += time.monotonic() - self._paused_at
            self._paused_at = None

    @property
    def command(self) -> str:
        """The training command as a developer would type it."""
        return "rasa train nlu --config build/bench/stock_config.yml --nlu data --out build/bench/stock " \
               "--fixed-model-name stock_nlu"

    def wait(self) -> TrainRun:
        """Waits for the training; its wall and CPU time (CPU from the child's own rusage)."""
        if self.run is not None:
            return self.run
        assert self.proc is not None
        self.resume()
        _, status, usage = os.wait4(self.proc.pid, 0)
        wall = time.monotonic() - self.start - self.paused_s
        cpu = usage.ru_utime + usage.ru_stime
        rc = os.waitstatus_to_exitcode(status)
        self.proc.returncode = rc
        self._log_file.close()
        self._cache.cleanup()
        self.run = TrainRun(
            name="stock rasa init (NLU only)", command=self.command, wall_s=wall,
            cpu_s=cpu, other_cores=self.others.cores(cpu, time.monotonic() - self.start),
            model_bytes=STOCK_MODEL.stat().st_size if STOCK_MODEL.exists() else 0, returncode=rc,
            load_before=self.load_before, load_after=loadavg(), log=str(self.log.relative_to(ROOT)), note=self.note,
        )
        if rc == 0:
            STOCK_META.write_text(json.dumps(
                {"fingerprint": self.fingerprint, "trained_at": time.strftime("%Y-%m-%d %H:%M"),
                 "run": asdict(self.run)}, indent=2))
        return self.run

    def stop(self) -> None:
        """Ends the training early (on errors or Ctrl-C)."""
        if self.running and self.proc is not None:
            self.resume()
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()


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
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, lowercase=True)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, lowercase=True)),
    ])
    return Pipeline([("features", features), ("lr", LogisticRegression(C=10.0, max_iter=3000))])


TFIDF_META = BUILD / "tfidf_lr.json"


def tfidf_fingerprint() -> str:
    """Changes when the training data, the pipeline's settings or scikit-learn change."""
    from importlib.metadata import version

    files = [p.read_bytes() for p in nlu_training_files()]
    return _fingerprint(repr(tfidf_pipeline().get_params()).encode(), version("scikit-learn").encode(), *files)


def train_tfidf(reuse: bool = False, background_cpu: Callable[[], float] = lambda: 0.0) -> Tuple[Any, TrainRun]:
    """Fits TF-IDF + LR in this process and pickles it to build/bench/ (``reuse``: load it if inputs are unchanged)."""
    fingerprint = tfidf_fingerprint()
    if reuse and TFIDF_META.exists() and TFIDF_MODEL.exists():
        meta = json.loads(TFIDF_META.read_text())
        if meta.get("fingerprint") == fingerprint:
            with open(TFIDF_MODEL, "rb") as f:
                pipe = pickle.load(f)
            run = TrainRun(**meta["run"])
            run.reused = True
            run.note = f"reused: trained {meta['trained_at']} on identical inputs; {run.note}"
            return pipe, run
    examples = training_examples()
    pipe = tfidf_pipeline()
    load_before = loadavg()
    others, bg0 = OtherLoad(), background_cpu()
    t0, c0 = time.monotonic(), time.process_time()
    pipe.fit([t for t, _ in examples], [i for _, i in examples])
    wall, cpu = time.monotonic() - t0, time.process_time() - c0
    bg = background_cpu() - bg0
    other = others.cores(cpu + bg, wall)
    BUILD.mkdir(parents=True, exist_ok=True)
    with open(TFIDF_MODEL, "wb") as f:
        pickle.dump(pipe, f)
    run = TrainRun(
        name="TF-IDF + LogisticRegression", command="bench.training.train_tfidf (in process)",
        wall_s=wall, cpu_s=cpu, model_bytes=TFIDF_MODEL.stat().st_size, returncode=0,
        load_before=load_before, load_after=loadavg(), log="", note=f"{len(examples)} training examples",
        other_cores=other, background_cores=bg / wall if wall else 0.0,
    )
    TFIDF_META.write_text(json.dumps(
        {"fingerprint": fingerprint, "trained_at": time.strftime("%Y-%m-%d %H:%M"), "run": asdict(run)}, indent=2))
    return pipe, run
