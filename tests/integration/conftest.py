"""One pair of live servers shared by the integration tests of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from evaluation.live import Client, Servers


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    workdir = Path(tmp_path_factory.mktemp("live"))
    s = Servers(workdir=workdir, extra_env={"EMERGENCY_NUMBER": "999", "TRIAGE_DB": str(workdir / "tracker.db")})
    s.start_actions()
    s.start_rasa()
    try:
        s.wait_until_ready()
        yield s
    finally:
        s.stop()


@pytest.fixture(scope="session")
def client(servers: Servers) -> Client:
    return Client(servers.url, servers.token)
