"""The Telegram channel: safe to start without Telegram, its secrets only from the environment.

Rasa's stock Telegram channel calls `setWebhook` through `asyncio.run` while
the server is being built: the server exits when Telegram is unreachable, and
the bot's HTTP session stays bound to that finished event loop, so every
incoming update fails with HTTP 500 "Event loop is closed". It also ignores
Telegram's secret-token header, sends each paragraph as its own message and
cannot be pointed at anything but api.telegram.org.

This channel keeps the route (`/webhooks/telegram/webhook`) and differs so:

- Settings: the token and the secret only from the environment
  (`TELEGRAM_TOKEN`, `TELEGRAM_SECRET_TOKEN`); `bot_name`, `webhook_url`
  and `api_base` from credentials.yml, each overridden by `TELEGRAM_BOT_NAME`,
  `TELEGRAM_WEBHOOK_URL` or `TELEGRAM_API_BASE` (channels/settings.py).
- Without a token (or with an unusable one) the server starts anyway; the
  webhook then answers 503 `{"error": "telegram not configured"}`.
- `getMe` and `setWebhook` run in the server's own event loop after start-up,
  retried in the background while Telegram is unreachable; a wrong token or
  URL is logged and never stops the web channels.
- With `TELEGRAM_SECRET_TOKEN` set, the secret is registered with
  `setWebhook` and every update must carry it in
  `X-Telegram-Bot-Api-Secret-Token` (403 otherwise).
- Updates the assistant cannot use (not JSON, not an update, stickers, group
  chats, repeats of an update already handled) are answered 200 and dropped:
  Telegram redelivers an update until it gets a 2xx, and redelivering the same
  bytes cannot make them readable, it only holds up the bot's queue.
- Only private chats are answered: a health assistant should not reply in a
  group. `/start` becomes `/greet` (a new conversation starts with the
  disclaimer), `/help` becomes `/help`; any other slash command goes through
  NLU as plain words, so typed text cannot pick an intent directly.
- Replies are plain text (no `parse_mode`, so nothing for Telegram to reject
  as bad HTML or Markdown), packed into as few messages as fit under
  Telegram's 4,096-character limit, split on paragraph, line, sentence and
  word boundaries. Buttons become an inline keyboard (one button per row),
  or a reply keyboard when a payload does not fit Telegram's 64-byte
  callback data.

The modules: `formatting` (splitting replies, keyboards), `updates` (reading
Telegram's updates), `output` (sending through the Bot API), `settings`, and
`webhook` (the channel, `TelegramChannel`, which credentials.yml names).
"""

from channels.telegram.webhook import TelegramChannel

__all__ = ["TelegramChannel"]
