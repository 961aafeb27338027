"""The offline dependency audit (deploy/audit.py) on a small advisory database written here."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from deploy import audit


def _write(root: Path, package: str, record: dict) -> None:
    folder = root / "vulns" / package
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{record['id']}.yaml").write_text(yaml.safe_dump(record), encoding="utf-8")


def _affected(name: str, events: list, versions: list | None = None) -> dict:
    return {"package": {"name": name, "ecosystem": "PyPI"},
            "ranges": [{"type": "ECOSYSTEM", "events": events}], "versions": versions or []}


def _db(tmp_path: Path) -> Path:
    root = tmp_path / "db"
    _write(root, "alpha", {"id": "PYSEC-1", "aliases": ["GHSA-a"], "summary": "alpha bad",
                           "affected": [_affected("alpha", [{"introduced": "0"}, {"fixed": "2.0"}])]})
    # The same advisory under its GHSA id: counted once.
    _write(root, "alpha", {"id": "GHSA-a", "aliases": ["PYSEC-1"], "summary": "alpha bad",
                           "affected": [_affected("alpha", [{"introduced": "0"}, {"fixed": "2.0"}])]})
    _write(root, "alpha", {"id": "PYSEC-2", "withdrawn": "2024-01-01", "summary": "withdrawn",
                           "affected": [_affected("alpha", [{"introduced": "0"}])]})
    _write(root, "beta-pkg", {"id": "PYSEC-3", "summary": "beta up to 1.4",
                              "affected": [_affected("Beta_Pkg", [{"introduced": "1.0"}, {"last_affected": "1.4"}])]})
    _write(root, "beta-pkg", {"id": "PYSEC-4", "summary": "beta fixed before the pin",
                              "affected": [_affected("beta-pkg", [{"introduced": "0"}, {"fixed": "1.2"}])]})
    # An open range with an undefined event: only the versions list counts.
    _write(root, "gamma", {"id": "PYSEC-5", "summary": "gamma malformed",
                           "affected": [_affected("gamma", [{"introduced": "0"}, {}], versions=["0.1"])]})
    _write(root, "delta", {"id": "PYSEC-6", "summary": "delta other ecosystem",
                           "affected": [{"package": {"name": "delta", "ecosystem": "npm"},
                                         "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]})
    # An OSV JSON export sits beside the YAML.
    (root / "PYSEC-7.json").write_text(json.dumps(
        {"id": "PYSEC-7", "summary": "epsilon json", "modified": "2026-01-02T00:00:00Z",
         "affected": [_affected("epsilon", [{"introduced": "3.0"}], versions=[])]}), encoding="utf-8")
    return root


def test_read_pins_normalises_names_and_skips_the_rest(tmp_path: Path) -> None:
    lock = tmp_path / "requirements.lock"
    lock.write_text("# comment\nAlpha==1.0\nBeta_Pkg[extra]==1.3 ; python_version>'3'\n-e .\nloose>=1\n")
    assert audit.read_pins(lock) == {"alpha": "1.0", "beta-pkg": "1.3"}


def test_in_range_follows_osv_events() -> None:
    v = audit.Version
    assert audit.in_range(v("1.5"), [{"introduced": "1.0"}, {"fixed": "2.0"}])
    assert not audit.in_range(v("2.0"), [{"introduced": "1.0"}, {"fixed": "2.0"}])
    assert audit.in_range(v("2.0"), [{"introduced": "1.0"}, {"last_affected": "2.0"}])
    assert audit.in_range(v("9.0"), [{"introduced": "0"}])
    assert not audit.in_range(v("1.5"), [{"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}])
    assert audit.in_range(v("2.5"), [{"introduced": "0"}, {"fixed": "1.0"}, {"introduced": "2.0"}])
    assert audit.in_range(v("1.0"), [{"introduced": "0"}, {}]) is None


def test_audit_finds_each_affected_pin_once(tmp_path: Path) -> None:
    db = _db(tmp_path)
    pins = {"alpha": "1.0", "beta-pkg": "1.3", "gamma": "0.2", "delta": "1.0", "epsilon": "3.1", "zeta": "1.0"}
    found = audit.audit(pins, audit.records(db, pins))
    assert [f.package for f in found] == ["alpha", "beta-pkg", "epsilon"]
    assert found[0].advisory in {"PYSEC-1", "GHSA-a"} and [f.advisory for f in found[1:]] == ["PYSEC-3", "PYSEC-7"]
    assert found[0].fixed_in == ("2.0",)
    # The malformed range's versions list decides: 0.1 is listed, 0.2 is not.
    assert [f.advisory for f in audit.audit({"gamma": "0.1"}, audit.records(db))] == ["PYSEC-5"]


def test_a_fixed_pin_is_clean(tmp_path: Path) -> None:
    db = _db(tmp_path)
    assert audit.audit({"alpha": "2.0", "beta-pkg": "1.5", "epsilon": "2.9"}, audit.records(db)) == []


def test_main_prints_the_affected_pins_and_the_copy_age(tmp_path: Path, capsys) -> None:
    db = _db(tmp_path)
    lock = tmp_path / "requirements.lock"
    lock.write_text("alpha==1.0\nepsilon==3.1\nzeta==1.0\n")
    out_json = tmp_path / "found.json"
    assert audit.main(["--advisories", str(db), "--lock", str(lock), "--json", str(out_json)]) == 0
    out = capsys.readouterr().out
    assert "alpha==1.0" in out and "epsilon==3.1" in out and "zeta" not in out.split("\n\n")[0]
    assert "2 advisories affect 2 of 3 pins" in out and "2026-01-02" in out
    assert {f["package"] for f in json.loads(out_json.read_text())} == {"alpha", "epsilon"}


def test_main_without_a_database_says_what_to_fetch(tmp_path: Path, capsys) -> None:
    assert audit.main(["--advisories", str(tmp_path / "missing")]) == 2
    assert "advisory-database" in capsys.readouterr().err
