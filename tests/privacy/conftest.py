"""Fixtures for the privacy tests: servers started with privacy/logging.yml."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[2]

os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from evaluation.live import VENV_BIN, Client, Servers, server_env  # noqa: E402

LOGGING_CONFIG = ROOT / "privacy" / "logging.yml"


@dataclass
class PrivateServers(Servers):
    """`Servers` with `--logging-config-file privacy/logging.yml` on both servers.

    PYTHONPATH is needed: `rasa` applies the logging file before it puts the
    working directory on sys.path, and silently ignores a file whose filter
    it cannot import.
    """

    logging_config: Path = LOGGING_CONFIG

    def _env(self) -> dict:
        return server_env(**{"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1", **self.extra_env})

    def _logging_args(self) -> List[str]:
        return ["--logging-config-file", str(self.logging_config)]

    def start_actions(self) -> None:
        log = open(self.workdir / "actions.log", "ab")
        self.processes.append(
            subprocess.Popen(
                [str(VENV_BIN / "rasa"), "run", "actions", "--port", str(self.actions_port), "--actions", "actions",
                 *self._logging_args()],
                cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
            )
        )

    def start_rasa(self) -> subprocess.Popen:
        log = open(self.workdir / "rasa.log", "ab")
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "rasa"), "run", "--model", str(self.model),
                "--endpoints", str(self.write_endpoints()), "--credentials", "credentials.yml",
                "--port", str(self.rasa_port), "--enable-api", "--auth-token", self.token,
                "--cors", "http://localhost:8080", *self._logging_args(),
            ],
            cwd=ROOT, env=self._env(), stdout=log, stderr=subprocess.STDOUT,
        )
        self.processes.append(proc)
        return proc


@pytest.fixture(scope="session")
def private_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivateServers]:
    """One Rasa server and one action server for all live privacy tests.

    The Rasa server runs with LOG_LEVEL=DEBUG: Rasa then logs user text (at
    DEBUG), so the log shows that the filter from privacy/logging.yml is really
    installed and redacting. Everything logged at INFO also appears here, so the
    checks on INFO lines hold for the production level as well.
    """
    s = PrivateServers(workdir=Path(tmp_path_factory.mktemp("private")), extra_env={"LOG_LEVEL": "DEBUG"})
    s.start_actions()
    s.start_rasa()
    try:
        s.wait_until_ready()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def private_client(private_servers: PrivateServers) -> Client:
    return Client(private_servers.url, private_servers.token)
