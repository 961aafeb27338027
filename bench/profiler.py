"""Where the Rasa server's time goes under load: py-spy samples, grouped into the parts a person can act on.

py-spy (pinned in requirements.lock) attaches to the running server from
outside, so the measured server is the real one, unchanged. Samples are taken
only while a thread holds the GIL (`--gil`): an idle event loop waiting in
uvloop's C code would otherwise look busy. Each sample goes to the first part
in `PARTS` whose marker appears anywhere in its stack (innermost marker wins
over outer ones through the order of `PARTS`).
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

from harness.servers import VENV_BIN

# (part, markers): checked in this order, so the more specific parts come first.
PARTS: List[Tuple[str, Tuple[str, ...]]] = [
    ("action reply validation (jsonschema)", ("jsonschema/",)),
    ("NLU: intent classifier", ("intent_classifier.py", "intent_model.py", "diet_classifier.py")),
    ("NLU: spaCy, featurizers, our components", ("parse_message (rasa/core/processor.py",)),
    ("tracker store (SQLAlchemy + SQLite)", ("rasa/core/tracker_store.py",)),
    ("custom action calls (HTTP, JSON)", ("rasa/core/actions/action.py", "rasa/utils/endpoints.py")),
    ("dialogue policies", ("rasa/core/policies/", "predict_next_with_tracker")),
    ("logging", ("logging/__init__.py",)),
    # Every handled request runs inside Sanic's frames, so these two come last: what is left inside Rasa's
    # message processor, then what happens outside it (request parsing, middleware, writing the response).
    ("Rasa's message processor (the rest)", ("rasa/core/processor.py",)),
    ("HTTP server and channel (Sanic)", ("sanic/", "rasa/core/channels/")),
]
OTHER = "other (event loop, asyncio)"


def py_spy() -> Optional[str]:
    """The py-spy binary of the project's environment, or one on PATH."""
    local = VENV_BIN / "py-spy"
    return str(local) if local.exists() else shutil.which("py-spy")


def part_of(stack: str) -> str:
    """The part of the server one sampled stack belongs to."""
    for name, markers in PARTS:
        if any(m in stack for m in markers):
            return name
    return OTHER


def collapsed(raw: str) -> Iterator[Tuple[str, int]]:
    """(stack, samples) from py-spy's `--format raw` output (collapsed stacks); other lines are skipped."""
    for line in raw.splitlines():
        stack, _, n = line.rpartition(" ")
        if stack and n.isdigit():
            yield stack, int(n)


def shares(raw: str) -> Dict[str, float]:
    """Share of samples per part."""
    counts: Counter = Counter()
    for stack, n in collapsed(raw):
        counts[part_of(stack)] += n
    total = sum(counts.values())
    return {k: v / total for k, v in counts.most_common()} if total else {}


class Profiler:
    """`py-spy record` on one process for a fixed time; `result()` waits and returns shares or a reason."""

    def __init__(self, pid: int, seconds: float, out: Path, rate: int = 100) -> None:
        """Starts sampling at once (py-spy runs beside the server; it does not slow the server's own thread)."""
        self.out = out
        self.error: Optional[str] = None
        self.proc: Optional[subprocess.Popen] = None
        exe = py_spy()
        if exe is None:
            self.error = "py-spy not installed"
            return
        self.proc = subprocess.Popen(
            [exe, "record", "--gil", "--nonblocking", "--format", "raw", "--rate", str(rate),
             "--duration", str(max(1, int(seconds))), "--output", str(out), "--pid", str(pid)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )

    def result(self, timeout: float = 60.0) -> Dict[str, object]:
        """{"shares": {...}, "samples": n} or {"error": reason}."""
        if self.proc is None:
            return {"error": self.error}
        try:
            log, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return {"error": "py-spy did not finish"}
        if self.proc.returncode != 0 or not self.out.exists():
            # Typically missing ptrace permission (containers without CAP_SYS_PTRACE).
            return {"error": f"py-spy exited {self.proc.returncode}: {log.strip()[-300:]}"}
        raw = self.out.read_text()
        return {"shares": shares(raw), "samples": sum(n for _, n in collapsed(raw))}
