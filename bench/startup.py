"""What the Rasa server's start-up time and memory are made of.

    .venv/bin/python -m bench.startup [--model models/mfr.tar.gz] [--repeats 3]

Each stage runs in a fresh Python process that does the stages before it too,
so a stage's cost is the difference from the one before: the interpreter,
TensorFlow on its own, Rasa's component registry (which every `rasa run`
imports, and which imports DIET and TED and so TensorFlow, whatever the
config uses), the project's spaCy pipeline, the whole model loaded as the
server loads it, and the first parse. A last probe imports the registry with
TensorFlow made unimportable, which shows whether it could be left out without
patching Rasa. Medians over the repeats; the machine is noisy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from typing import Dict, List, Sequence, Tuple

from mfr.settings import PATHS

# Stage name and the code that a fresh process runs for it (after the previous stages' code).
STAGES: Tuple[Tuple[str, str], ...] = (
    ("Python interpreter", "pass"),
    ("+ TensorFlow alone", "import tensorflow"),
    ("+ Rasa's component registry", "import rasa.engine.recipes.default_components"),
    ("+ the project's spaCy pipeline", "import spacy; spacy.load(str(PATHS.spacy_pipeline))"),
    ("+ the trained model (Agent.load)",
     "from rasa.core.agent import Agent; agent = Agent.load(str(MODEL))"),
    ("+ the first parse",
     "import asyncio; asyncio.run(agent.parse_message('what is myofascial release'))"),
)

_PROBE = """
import os, sys, time, resource
t0 = time.perf_counter()
{code}
elapsed = time.perf_counter() - t0
rss_mb = int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
print('RESULT', elapsed, rss_mb)
"""

_WITHOUT_TF = """
import sys
sys.modules['tensorflow'] = None  # any `import tensorflow` now raises ImportError
try:
    import rasa.engine.recipes.default_components
    print('RESULT ok')
except ImportError as error:
    print('RESULT', type(error).__name__, str(error)[:200])
"""


def _run(code: str) -> str:
    env_code = f"from mfr.settings import PATHS\nMODEL = {str(PATHS.model)!r}\n{code}"
    out = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True, check=False,
                         env=_quiet_env())
    for line in out.stdout.splitlines():
        if line.startswith("RESULT"):
            return line[len("RESULT "):]
    raise RuntimeError(f"probe failed: {out.stderr[-800:]}")


def _quiet_env() -> Dict[str, str]:
    return {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "RASA_TELEMETRY_ENABLED": "false"}


def measure(stages: Sequence[Tuple[str, str]] = STAGES, repeats: int = 3) -> List[Dict[str, float | str]]:
    """Seconds and resident MB after each stage (cumulative, medians), and each stage's own share."""
    rows: List[Dict[str, float | str]] = []
    code = ""
    previous = (0.0, 0.0)
    for name, stage_code in stages:
        code += stage_code + "\n"
        runs = [_run(_PROBE.format(code=code)).split() for _ in range(repeats)]
        seconds = statistics.median(float(r[0]) for r in runs)
        rss = statistics.median(float(r[1]) for r in runs)
        rows.append({"stage": name, "seconds": seconds, "rss_mb": rss,
                     "own_seconds": seconds - previous[0], "own_mb": rss - previous[1]})
        previous = (seconds, rss)
    return rows


def registry_without_tensorflow() -> str:
    """What importing Rasa's component registry does when TensorFlow cannot be imported."""
    return _run(_WITHOUT_TF)


def table(rows: Sequence[Dict[str, float | str]]) -> str:
    """The stages as a Markdown table."""
    lines = ["| stage | seconds (cumulative) | resident MB (cumulative) | this stage: seconds | this stage: MB |",
             "|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['stage']} | {float(r['seconds']):.1f} | {float(r['rss_mb']):.0f} | "
                     f"{float(r['own_seconds']):.1f} | {float(r['own_mb']):.0f} |")
    return "\n".join(lines)


def main() -> None:
    """Prints the table and the probe."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", default=None)
    args = parser.parse_args()
    rows = measure(repeats=args.repeats)
    print(table(rows))
    probe = registry_without_tensorflow()
    print(f"\nRasa's component registry with TensorFlow unimportable: {probe}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"stages": rows, "registry_without_tensorflow": probe}, f, indent=2)


if __name__ == "__main__":
    main()
