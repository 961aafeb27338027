"""The rules must handle every case of the table they were tuned on.

detection/red_flags_dev.yml is development data (the held-out tables in tests/data
are only ever evaluated); a change to the rules must keep it fully right.
"""


import pytest
import yaml

from mfr.settings import PATHS

from mfr.red_flags import detect_red_flags

CASES = yaml.safe_load(PATHS.red_flags_dev.read_text())["cases"]


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c.get('flag') or c.get('note')}" for i, c in enumerate(CASES)])
def test_development_case(case: dict) -> None:
    flags = [m.flag for m in detect_red_flags(case["text"])]
    if case["emergency"]:
        assert case["flag"] in flags, case["text"]
    else:
        assert flags == [], case["text"]
