"""The previous project model (DIET) as a peer: trained cold, alone, then scored and served like the project's.

    rasa train --config bench/previous_config.yml --out build/bench/previous --fixed-model-name previous

A full model (NLU and dialogue), so that the live servers can run it and the
report can give start-up, memory and latency as ratios to it. Reused without
training when its config, domain, data, components and the Rasa version are
unchanged since its last successful training (``--retrain-peers`` forces it).
"""

from __future__ import annotations

import json
import tempfile
import time
from dataclasses import asdict
from importlib.metadata import version
from pathlib import Path
from typing import Tuple

from bench.training import BUILD, LOGS, TrainRun, _fingerprint, _timed, loadavg
from harness.servers import VENV_BIN, server_env
from mfr.settings import ROOT

CONFIG = ROOT / "bench" / "previous_config.yml"
OUT = BUILD / "previous"
MODEL = OUT / "previous.tar.gz"
META = OUT / "meta.json"
COMMAND = ("rasa train --config bench/previous_config.yml --out build/bench/previous "
           "--fixed-model-name previous")


def fingerprint() -> str:
    """Changes when anything the previous model is trained from changes."""
    inputs = [CONFIG, ROOT / "domain.yml", *sorted((ROOT / "data").rglob("*.yml")),
              *sorted((ROOT / "components").glob("*.py"))]
    return _fingerprint(version("rasa").encode(), *(p.read_bytes() for p in inputs))


def train(retrain: bool = False) -> Tuple[Path, TrainRun]:
    """Trains it with an empty cache (or reuses the last training of identical inputs)."""
    fp = fingerprint()
    if not retrain and META.exists() and MODEL.exists():
        meta = json.loads(META.read_text())
        if meta.get("fingerprint") == fp and meta["run"]["returncode"] == 0:
            run = TrainRun(**meta["run"])
            run.reused = True
            run.note = f"reused: trained {meta['trained_at']} on identical inputs (times measured then)"
            return MODEL, run
    OUT.mkdir(parents=True, exist_ok=True)
    log = LOGS / "train_previous.log"
    with tempfile.TemporaryDirectory(prefix="bench-previous-cache-") as cache:
        cmd = [str(VENV_BIN / "rasa"), "train", "--config", str(CONFIG.relative_to(ROOT)), "--out",
               str(OUT.relative_to(ROOT)), "--fixed-model-name", "previous"]
        load_before = loadavg()
        wall, cpu, rc, other, _ = _timed(cmd, server_env(RASA_CACHE_DIRECTORY=cache), log)
    run = TrainRun(name="previous project model (DIET) cold", command=COMMAND, wall_s=wall, cpu_s=cpu,
                   model_bytes=MODEL.stat().st_size if MODEL.exists() else 0, returncode=rc,
                   load_before=load_before, load_after=loadavg(), log=str(log.relative_to(ROOT)),
                   other_cores=other, note="Trained alone, before the rest of the run, with an empty cache.")
    if rc == 0:
        META.write_text(json.dumps({"fingerprint": fp, "trained_at": time.strftime("%Y-%m-%d %H:%M"),
                                    "run": asdict(run)}, indent=2))
    return MODEL, run
