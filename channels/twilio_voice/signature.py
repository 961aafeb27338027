"""Twilio's request signature, the URL it signs, and who is calling."""

from __future__ import annotations

from typing import Any, Mapping, Optional
from urllib.parse import parse_qs, urlsplit, urlunsplit

from sanic.request import RequestParameters
from twilio.request_validator import RequestValidator

from channels.validation import MAX_SENDER_CHARS

CHANNEL_NAME = "twilio_voice"
WEBHOOK_PATH = f"/webhooks/{CHANNEL_NAME}/webhook"
# Twilio fetches the whisper here when the clinic answers a transferred call.
WHISPER_PATH = f"/webhooks/{CHANNEL_NAME}/whisper"
SIGNATURE_HEADER = "X-Twilio-Signature"

# Withheld caller IDs, as Twilio sends them (words, or their keypad digits).
WITHHELD_CALLER_IDS = frozenset(
    {
        "anonymous",
        "restricted",
        "unavailable",
        "unknown",
        "blocked",
        "private",
        "+266696687",
        "+7378742833",
        "+86282452253",
        "+8656696",
        "+2562533",
    }
)


def caller_key(params: Mapping[str, Any]) -> Optional[str]:
    """The conversation id: the caller's number, or the call when the number is withheld."""
    caller = str(params.get("From") or "").strip()
    withheld = caller.lower() in WITHHELD_CALLER_IDS
    if caller and not withheld and len(caller) <= MAX_SENDER_CHARS and caller.isprintable():
        return caller
    call_sid = str(params.get("CallSid") or "").strip()
    if call_sid and len(call_sid) <= MAX_SENDER_CHARS - 5 and call_sid.isalnum():
        return f"call-{call_sid}"
    return None


def public_webhook_url(public_url: str, path: str = WEBHOOK_PATH, query: str = "") -> str:
    """The URL Twilio calls, from `TWILIO_PUBLIC_URL`.

    `TWILIO_PUBLIC_URL` may be the origin (`https://voice.clinic.org`), an
    origin with a path prefix (`https://clinic.org/rasa`), or the full webhook
    URL as entered in the Twilio console. `query` (the request's query string)
    is appended unless the configured URL has its own.
    """
    parts = urlsplit(public_url.strip())
    base_path = parts.path.rstrip("/")
    if path != WEBHOOK_PATH and base_path.endswith(WEBHOOK_PATH):
        # The configured URL is the webhook's own; other routes sit beside it.
        base_path = base_path[: -len(WEBHOOK_PATH)]
    full_path = base_path if base_path.endswith(path) else f"{base_path}{path}"
    return urlunsplit((parts.scheme, parts.netloc, full_path, parts.query or query, ""))


def form_params(body: bytes) -> RequestParameters:
    """The form fields, blank ones included (Twilio signs those too; Sanic's `request.form` drops them)."""
    try:
        decoded = body.decode("utf-8")
    except UnicodeDecodeError:
        return RequestParameters()
    return RequestParameters(parse_qs(decoded, keep_blank_values=True))


def signature_valid(auth_token: str, url: str, params: Any, signature: Optional[str]) -> bool:
    """True if `signature` is Twilio's signature of this URL and these form fields."""
    if not signature:
        return False
    return bool(RequestValidator(auth_token).validate(url, params, signature))


# ---------------------------------------------------------------- one turn
