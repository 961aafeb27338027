"""Reading the project's YAML data files.

libyaml's C loader reads the larger tables several times faster than the
pure-Python one (the unit tests and the detector read every table); both give
the same safe subset of YAML.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path | str) -> Any:
    """The parsed contents of a UTF-8 YAML file (None when it is empty)."""
    with open(path, encoding="utf-8") as f:
        return yaml.load(f, Loader=_LOADER)
