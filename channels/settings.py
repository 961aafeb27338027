"""How every channel reads its settings: the credentials file first, the environment for secrets.

A clinic configures a channel in credentials.yml (plain settings, reviewed in
git) and gives it its secrets (tokens, passwords) only through the
environment, never in a file. An environment variable also overrides a plain
setting, so one deployment can differ from the file without editing it.
"""

from __future__ import annotations

import os
from typing import Any, Mapping, Optional


def setting(credentials: Optional[Mapping[str, Any]], key: str, env: Optional[str] = None,
            default: Optional[str] = None, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """A plain setting: the environment variable ``env`` if set, else the credentials entry, else ``default``."""
    source = os.environ if environ is None else environ
    if env and (source.get(env) or "").strip():
        return str(source[env]).strip()
    value = (credentials or {}).get(key)
    if value is None or str(value).strip() == "":
        return default
    return str(value).strip()


def secret(env: str, environ: Optional[Mapping[str, str]] = None) -> Optional[str]:
    """A secret, from the environment only (empty counts as unset)."""
    source = os.environ if environ is None else environ
    value = (source.get(env) or "").strip()
    return value or None


def listed(value: Optional[str]) -> list:
    """A comma-separated setting as a list of its non-empty items."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]
