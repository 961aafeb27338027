"""Every path and setting of the project, in one place; files and the environment are read on first use.

Paths are fixed relative to the checkout. Settings a clinic changes come from
config/clinic.yml (CLINIC_CONFIG names another file), each overridden by its
environment variable; secrets only ever come from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, Optional

from mfr.data_files import read_yaml

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Paths:
    """Where everything lives in the checkout."""

    root: Path = ROOT
    # Rasa's training data, domain and the article the answers come from.
    data: Path = ROOT / "data"
    domain: Path = ROOT / "domain.yml"
    knowledge: Path = ROOT / "knowledge" / "mfr.yml"
    article: Path = ROOT / "knowledge" / "article.txt"
    # What the NLU components detect with: the slot lexicon, the red-flag rules,
    # the kinds of emergency and the learned detector's material and choice.
    detection: Path = ROOT / "detection"
    lexicon: Path = ROOT / "detection" / "lexicon.yml"
    red_flags: Path = ROOT / "detection" / "red_flags.yml"
    red_flags_dev: Path = ROOT / "detection" / "red_flags_dev.yml"
    emergencies: Path = ROOT / "detection" / "emergencies.yml"
    emergency_examples: Path = ROOT / "detection" / "emergency_examples"
    detector_choice: Path = ROOT / "detection" / "emergency_detector.yml"
    # Built by make (not in git).
    build: Path = ROOT / "build"
    spacy_pipeline: Path = ROOT / "build" / "spacy_en_mfr"
    detector: Path = ROOT / "build" / "emergency_detector.joblib"
    model: Path = ROOT / "models" / "mfr.tar.gz"
    # Held-out and blind test data, and the CLINC150 copy.
    test_data: Path = ROOT / "tests" / "data"
    clinc150: Path = ROOT / "datasets" / "clinc150"
    clinic_config: Path = ROOT / "config" / "clinic.yml"
    reports: Path = ROOT / "reports"


PATHS = Paths()

# The conversation store of `make run` (endpoints.yml); triage records and
# retention use the same file unless TRIAGE_DB / --db say otherwise.
DEFAULT_DATABASE = ROOT / "var" / "tracker.db"
DATABASE_ENV = "TRIAGE_DB"

_ENV_OVERRIDES = {
    "clinic_name": "CLINIC_NAME",
    "clinic_phone": "CLINIC_PHONE_NUMBER",
    "clinic_email": "CLINIC_EMAIL",
    "clinic_hours": "CLINIC_HOURS",
    "emergency_number": "EMERGENCY_NUMBER",
    "crisis_line": "CRISIS_LINE",
    "retention_days": "RETENTION_DAYS",
}
CLINIC_CONFIG_ENV = "CLINIC_CONFIG"


def database_path(override: Optional[str] = None) -> Path:
    """The SQLite file of conversations and triage records: ``override``, TRIAGE_DB, or var/tracker.db."""
    value = override or os.environ.get(DATABASE_ENV)
    return Path(value) if value else DEFAULT_DATABASE


def clinic_config_path() -> Path:
    """The clinic file: CLINIC_CONFIG, or config/clinic.yml."""
    value = os.environ.get(CLINIC_CONFIG_ENV)
    return Path(value) if value else PATHS.clinic_config


@dataclass(frozen=True)
class ClinicSettings:
    """How to reach the clinic and emergency services, and how long conversations are kept."""

    clinic_name: str
    clinic_phone: str
    clinic_email: str
    clinic_hours: str
    emergency_number: str
    crisis_line: str
    retention_days: str

    def as_slots(self) -> Dict[str, str]:
        """The settings as slot name to value (the slots share the names)."""
        return dict(self.__dict__)


def load_clinic_settings(path: Optional[Path] = None) -> ClinicSettings:
    """Reads the clinic file, then lets the environment override single values."""
    values = {k: str(v) for k, v in (read_yaml(path or clinic_config_path()) or {}).items()}
    for key, env in _ENV_OVERRIDES.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    return ClinicSettings(**{k: values[k] for k in _ENV_OVERRIDES})


@lru_cache(maxsize=1)
def clinic_settings() -> ClinicSettings:
    """The clinic settings of this process (read once)."""
    return load_clinic_settings()
