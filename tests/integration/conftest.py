"""One pair of live servers shared by the integration tests of a run."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.servers import Servers, running
from harness.client import Client


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    workdir = Path(tmp_path_factory.mktemp("live"))
    with running(Servers(workdir=workdir, env={"EMERGENCY_NUMBER": "999",
                                               "TRIAGE_DB": str(workdir / "tracker.db")})) as s:
        yield s


@pytest.fixture(scope="session")
def client(servers: Servers) -> Client:
    return Client(servers.url, servers.token)
