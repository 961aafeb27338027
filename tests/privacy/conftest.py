"""Fixtures for the privacy tests: servers started as production starts them (redacting log set-up)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from harness.client import Client
from harness.servers import Servers, running


@pytest.fixture(scope="session")
def private_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Servers]:
    """One Rasa server and one action server for all live privacy tests.

    The Rasa server runs with LOG_LEVEL=DEBUG: Rasa then logs user text (at
    DEBUG), so the log shows that the filter from privacy/logging.yml is really
    installed and redacting. Everything logged at INFO also appears here, so the
    checks on INFO lines hold for the production level as well.
    """
    with running(Servers(workdir=Path(tmp_path_factory.mktemp("private")), env={"LOG_LEVEL": "DEBUG"})) as s:
        yield s


@pytest.fixture(scope="session")
def private_client(private_servers: Servers) -> Client:
    return Client(private_servers.url, private_servers.token)
