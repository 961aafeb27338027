"""The scale-out test: slow (two Rasa servers, PostgreSQL, Redis, nginx), so only with SCALEOUT=1.

`make scaleout-test` sets it; a plain `pytest` deselects every test marked `scaleout`.
"""

from __future__ import annotations

import os
from typing import Iterator, List

import pytest

from deploy.scaleout import Stack


def scaleout_enabled() -> bool:
    return os.environ.get("SCALEOUT", "") == "1"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "scaleout: two Rasa servers behind nginx with PostgreSQL and Redis (slow; runs only with SCALEOUT=1)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: List[pytest.Item]) -> None:
    if scaleout_enabled():
        return
    deselected = [item for item in items if item.get_closest_marker("scaleout")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("scaleout")]


@pytest.fixture(scope="package")
def stack() -> Iterator[Stack]:
    """The whole set-up, started once for the scale-out tests and always taken down."""
    s = Stack(keep_workdir=os.environ.get("SCALEOUT_KEEP_LOGS") == "1")
    s.start()
    print(f"\nscale-out stack up in {s.timings['start_total_s']:.0f} s "
          f"(stores {s.timings['stores_s']:.1f} s, servers {s.timings['servers_ready_s']:.0f} s)")
    try:
        yield s
    finally:
        s.stop()
