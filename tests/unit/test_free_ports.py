"""Ports handed to test and scale-out servers: distinct, free, outside the ephemeral range."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from harness import servers
from harness.servers import ephemeral_low, free_port, free_ports


def test_ports_are_distinct_free_and_below_the_ephemeral_range() -> None:
    ports = free_ports(8)
    assert len(set(ports)) == 8
    low = ephemeral_low()
    for port in ports:
        assert servers.PORT_FLOOR <= port < low
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))  # raises if something holds it


def test_a_port_is_never_handed_out_twice_in_one_process() -> None:
    first = set(free_ports(20))
    later = set(free_ports(20)) | {free_port() for _ in range(10)}
    assert not first & later


def test_a_port_something_listens_on_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    other = free_port()
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        taken = held.getsockname()[1]

        class Candidates:  # the held port comes first, then a free one
            @staticmethod
            def sample(pool: range, k: int) -> list:
                return [taken, other]

        monkeypatch.setattr(servers.random, "SystemRandom", Candidates)
        monkeypatch.setattr(servers, "_handed_out", set())
        assert free_ports(1) == [other]
        with pytest.raises(RuntimeError):
            free_ports(1)  # the held port is still taken and the free one is handed out


def test_the_ephemeral_range_falls_back_to_linux_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(servers, "EPHEMERAL_RANGE", tmp_path / "missing")
    assert ephemeral_low() == 32768
    (tmp_path / "range").write_text("40000\t60999\n")
    monkeypatch.setattr(servers, "EPHEMERAL_RANGE", tmp_path / "range")
    assert ephemeral_low() == 40000
