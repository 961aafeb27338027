"""The assistant's channels: each takes requests of one medium to Rasa and shapes Rasa's replies for it.

`validation` (request checks every channel shares), `bounded_map` (per-process
memory with a bound) and `settings` (credentials file first, environment for
secrets) serve them all; `rest`, `socketio`, `telegram/` and `twilio_voice/`
are the channels. Rasa-server patches live in `server/`, not here.
"""
