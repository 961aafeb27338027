"""What the Rasa server's start-up time and memory are made of.

    .venv/bin/python -m bench.startup [--model models/mfr.tar.gz] [--repeats 3]

Each stage runs in a fresh Python process that does the stages before it too,
so a stage's cost is the difference from the one before: the interpreter,
JAX made unimportable as the project's server does (`server/__main__.py`;
a separate line gives what TensorFlow's attempted JAX import would cost),
TensorFlow on its own, Rasa's component registry (which every `rasa run`
imports, and which imports DIET and TED and so TensorFlow, whatever the
config uses), the project's spaCy pipeline, the whole model loaded as the
server loads it, and the first parse. Last probes import the registry, and Rasa's own TensorFlow-free
FallbackClassifier and RulePolicy, with TensorFlow made unimportable: each
fails, and says which Rasa module needed it (the registry through DIET, the
others through rasa/utils/train_utils.py's Keras callbacks), so TensorFlow
cannot be left out of a Rasa 3.6 server without patching Rasa, even for a
model with no TensorFlow component. Medians over the repeats; the machine is
noisy.
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

# What `python -m server` does before it imports Rasa.
BLOCK_UNUSED = ("+ JAX made unimportable, as `python -m server` does",
                "import server.__main__ as launcher; launcher.block_unused_imports()")
IMPORT_TENSORFLOW = ("+ TensorFlow alone", "import tensorflow")
# Stage name and the code that a fresh process runs for it (after the previous stages' code).
STAGES: Tuple[Tuple[str, str], ...] = (
    ("Python interpreter", "pass"),
    BLOCK_UNUSED,
    IMPORT_TENSORFLOW,
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
import sys, traceback
sys.modules['tensorflow'] = None  # any `import tensorflow` now raises ImportError
try:
    import {module}
    print('RESULT ok')
except ImportError as error:
    # The Rasa module whose import needed TensorFlow: the last Rasa frame of the chain.
    frames = [f.filename for f in traceback.extract_tb(error.__traceback__) if '/rasa/' in f.filename]
    via = frames[-1].split('site-packages/')[-1] if frames else '?'
    print('RESULT', type(error).__name__, str(error)[:120], '(imported by', via + ')')
"""
# Modules a model without any TensorFlow component still needs: the
# registry, and Rasa's own components and policies that this project uses.
TF_FREE_NEEDS = ("rasa.engine.recipes.default_components", "rasa.nlu.classifiers.fallback_classifier",
                 "rasa.core.policies.rule_policy")


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


def jax_share(repeats: int = 3) -> Dict[str, float]:
    """Resident MB and seconds of `import tensorflow` with the JAX import it attempts, and without (as the server)."""
    out: Dict[str, float] = {}
    for label, stages in (("with_jax", (IMPORT_TENSORFLOW,)), ("without_jax", (BLOCK_UNUSED, IMPORT_TENSORFLOW))):
        last = measure(stages, repeats)[-1]
        out[f"{label}_seconds"], out[f"{label}_mb"] = float(last["seconds"]), float(last["rss_mb"])
    return out


def import_without_tensorflow(module: str = TF_FREE_NEEDS[0]) -> str:
    """What importing ``module`` (by default Rasa's component registry) does when TensorFlow cannot be imported."""
    return _run(_WITHOUT_TF.format(module=module))


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
    jax = jax_share(args.repeats)
    print(f"\n`import tensorflow` with the JAX import it attempts: {jax['with_jax_mb']:.0f} MB, "
          f"{jax['with_jax_seconds']:.1f} s; without (as the server runs): {jax['without_jax_mb']:.0f} MB, "
          f"{jax['without_jax_seconds']:.1f} s")
    probes = {module: import_without_tensorflow(module) for module in TF_FREE_NEEDS}
    print("\nWith TensorFlow unimportable:")
    for module, probe in probes.items():
        print(f"  import {module}: {probe}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump({"stages": rows, "jax": jax, "without_tensorflow": probes}, f, indent=2)


if __name__ == "__main__":
    main()
