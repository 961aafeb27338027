"""The Telegram channel's settings: credentials.yml first, the environment for secrets and overrides."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Optional

from channels.settings import secret, setting

ENV_TOKEN = "TELEGRAM_TOKEN"
ENV_BOT_NAME = "TELEGRAM_BOT_NAME"
ENV_WEBHOOK_URL = "TELEGRAM_WEBHOOK_URL"
ENV_SECRET_TOKEN = "TELEGRAM_SECRET_TOKEN"
ENV_API_BASE = "TELEGRAM_API_BASE"
DEFAULT_API_BASE = "https://api.telegram.org"
# Telegram's rule for secret_token in setWebhook.
SECRET_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


@dataclass(frozen=True)
class TelegramSettings:
    """The channel's settings (channels/settings.py: secrets from the environment only)."""

    token: Optional[str]
    bot_name: Optional[str]
    webhook_url: Optional[str]
    secret_token: Optional[str]
    api_base: str

    @classmethod
    def from_credentials(cls, credentials: Optional[Mapping[str, Any]] = None,
                         environ: Optional[Mapping[str, str]] = None) -> "TelegramSettings":
        """The token and secret from the environment; the rest from credentials.yml unless the environment says."""
        bot_name = setting(credentials, "bot_name", ENV_BOT_NAME, environ=environ)
        return cls(
            token=secret(ENV_TOKEN, environ),
            bot_name=bot_name.lstrip("@") if bot_name else None,
            webhook_url=setting(credentials, "webhook_url", ENV_WEBHOOK_URL, environ=environ),
            secret_token=secret(ENV_SECRET_TOKEN, environ),
            api_base=(setting(credentials, "api_base", ENV_API_BASE, DEFAULT_API_BASE, environ) or "").rstrip("/"),
        )

    def problem(self) -> Optional[str]:
        """Why the channel cannot run with these settings, or None."""
        if not self.token:
            return f"{ENV_TOKEN} is not set"
        left, sep, right = self.token.partition(":")
        if not sep or not left.isdigit() or not right or any(c.isspace() for c in self.token):
            return f"{ENV_TOKEN} does not look like a BotFather token (<digits>:<letters>)"
        if self.secret_token and not SECRET_PATTERN.match(self.secret_token):
            return f"{ENV_SECRET_TOKEN} may only hold 1-256 characters A-Z, a-z, 0-9, _ and -"
        if not self.api_base.startswith(("https://", "http://")):
            return f"{ENV_API_BASE} must be an http(s) URL"
        return None
