"""Settings for the action server, read once on first use (never at import)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict

import yaml

ROOT = Path(__file__).resolve().parent.parent
CLINIC_CONFIG_PATH = Path(os.environ.get("CLINIC_CONFIG", ROOT / "config" / "clinic.yml"))

_ENV_OVERRIDES = {
    "clinic_name": "CLINIC_NAME",
    "clinic_phone": "CLINIC_PHONE_NUMBER",
    "clinic_email": "CLINIC_EMAIL",
    "clinic_hours": "CLINIC_HOURS",
    "emergency_number": "EMERGENCY_NUMBER",
    "crisis_line": "CRISIS_LINE",
    "retention_days": "RETENTION_DAYS",
}


@dataclass(frozen=True)
class ClinicSettings:
    """How to reach the clinic and emergency services."""

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


def load_clinic_settings(path: Path = CLINIC_CONFIG_PATH) -> ClinicSettings:
    """Reads the clinic file, then lets the environment override single values."""
    with open(path, encoding="utf-8") as f:
        values = {k: str(v) for k, v in (yaml.safe_load(f) or {}).items()}
    for key, env in _ENV_OVERRIDES.items():
        if os.environ.get(env):
            values[key] = os.environ[env]
    return ClinicSettings(**{k: values[k] for k in _ENV_OVERRIDES})


@lru_cache(maxsize=1)
def clinic_settings() -> ClinicSettings:
    """The clinic settings of this process."""
    return load_clinic_settings()
