"""`python -m server`: Rasa's command line without the JAX import TensorFlow attempts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import server.__main__ as launcher
from harness.servers import rasa_command
from mfr.settings import ROOT

# A fresh interpreter imports what `rasa run` imports before it loads a model
# (rasa.core.run brings TensorFlow), with or without the launcher's block.
_PROBE = """
import sys
if sys.argv[1] == "blocked":
    import server.__main__ as launcher
    launcher.block_unused_imports()
import rasa.core.run
tflite_util = sys.modules["tensorflow.lite.python.util"]
print("jax" in sys.modules and sys.modules["jax"] is not None, "jaxlib" in sys.modules,
      tflite_util._xla_computation is None)
"""


def _probe(mode: str) -> str:
    out = subprocess.run([sys.executable, "-c", _PROBE, mode], capture_output=True, text=True, cwd=ROOT,
                         check=True, timeout=300)
    return out.stdout.strip().splitlines()[-1]


def test_rasa_imports_jax_through_tensorflow_unless_blocked() -> None:
    # Without the block Rasa's import pulls in JAX and jaxlib (so the block is not a no-op) ...
    assert _probe("plain") == "True True False"
    # ... with it, TensorFlow still imports and takes its own no-JAX path.
    assert _probe("blocked") == "False False True"


def test_block_makes_the_module_unimportable_and_leaves_imported_ones_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    fake = type(sys)("already_here")
    monkeypatch.setattr(launcher, "UNUSED_OPTIONAL_IMPORTS", ("mfr_unused_optional", "already_here"))
    monkeypatch.delitem(sys.modules, "mfr_unused_optional", raising=False)
    monkeypatch.setitem(sys.modules, "already_here", fake)
    launcher.block_unused_imports()
    with pytest.raises(ImportError):
        import mfr_unused_optional  # type: ignore[import-not-found]  # noqa: F401
    assert sys.modules["already_here"] is fake
    monkeypatch.delitem(sys.modules, "mfr_unused_optional")


def test_launcher_is_rasas_command_line() -> None:
    out = subprocess.run([sys.executable, "-m", "server", "--version"], capture_output=True, text=True, cwd=ROOT,
                         check=False, timeout=300)
    assert out.returncode == 0, out.stderr[-500:]
    assert "Rasa Version" in out.stdout and "3.6.21" in out.stdout


def test_the_project_starts_its_rasa_server_through_the_launcher(tmp_path: Path) -> None:
    cmd = rasa_command(tmp_path / "m.tar.gz", tmp_path / "e.yml", tmp_path / "c.yml", 5005, "t")
    assert cmd[1:4] == ["-m", "server", "run"]
    assert Path(cmd[0]).name.startswith("python")
