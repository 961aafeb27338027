"""`python -m server ARGS` is Rasa's own command line (`rasa ARGS`) without JAX.

Rasa 3.6 imports TensorFlow for every model (see `bench/startup.py`), and
TensorFlow 2.12 tries `from jax import xla_computation` while it imports
(`tensorflow/lite/python/util.py`, for its JAX-to-TFLite converter) and
carries on without it when that import fails. JAX is installed only because
TensorFlow's package lists it; neither Rasa nor this project calls it, yet
importing it maps jaxlib's XLA library into the server: about 100 MB of
resident memory (`python -m bench.startup` shows the stage). Marking it
unimportable before Rasa is imported keeps it out; everything after that is
`rasa`'s own entry point, arguments and exit code unchanged.
"""

from __future__ import annotations

import sys
from typing import Tuple

# Optional imports of Rasa's dependencies that the server never needs.
UNUSED_OPTIONAL_IMPORTS: Tuple[str, ...] = ("jax",)


def block_unused_imports() -> None:
    """Makes each unused optional module raise ImportError on import (unless already imported)."""
    for name in UNUSED_OPTIONAL_IMPORTS:
        if name not in sys.modules:
            sys.modules[name] = None  # type: ignore[assignment]


def main() -> None:
    """`rasa` with the unused optional imports blocked first."""
    block_unused_imports()
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
