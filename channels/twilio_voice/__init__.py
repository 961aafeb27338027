"""The clinic's phone line: Rasa's Twilio Voice channel, made safe and speakable.

Route `/webhooks/twilio_voice/webhook` (Twilio posts a form with `From`,
`SpeechResult`, `CallStatus`, ...; we answer with TwiML). Differences from the
stock channel (`rasa.core.channels.twilio_voice`):

- Signature check: with `TWILIO_AUTH_TOKEN` set, every POST must carry a valid
  `X-Twilio-Signature` over the URL Twilio called (`TWILIO_PUBLIC_URL` behind a
  TLS proxy, else the request URL) and the form fields; anything else gets 403
  before it reaches the model. Without the token (tests, demos) nothing is
  checked and a warning is logged at start-up.
- Transfer: a bot message carrying `{"handoff": {"phone": ...}}` (custom/json
  payload, see `action_human_handoff`) is spoken, then the call is `<Dial>`led
  to `CLINIC_PHONE_NUMBER` (or the payload's number).
- Speech shaping: URLs, markdown, emoji and the "From: ..." source line are
  not read out; buttons become numbered choices ("Say one for ..., two for
  ...") and a spoken "two", "second", "option 2" sends that button's payload;
  a long last message is cut after about 50 words and ends with an offer to
  hear the rest, which "yes" / "more" reads on.
- No speech: the last prompt is repeated (with its choices); after
  `MAX_REPLAYS` silent replays the call ends politely.
- Keypad: numbered choices can also be picked with the keys (`<Gather
  input="dtmf speech">`), key 1 for the first.
- Every call starts a new Rasa session, so each caller hears the disclaimer
  and no previous call's health details carry over.
- Callers who withhold their number get a conversation per call (keyed by
  CallSid) instead of one shared "anonymous" conversation.

The per-caller state (offered choices, unread rest, last prompt) lives in this
process: with several Rasa replicas a caller's turns must reach the same one.

The channel shapes what Rasa gives it and never reads the conversation store
or renders responses itself: its own few prompts (the offer to hear more,
the transfer announcement, the goodbye after silence) and the words it
listens for are in `speech.yml`, the clinic's emergency number in the
clinic's settings.

The modules: `wording` (speech.yml), `speech` (text shaped for the ear),
`choices` (numbered choices said or pressed), `plan` (what one turn says and
does), `callers` (per-call memory), `signature` (Twilio's request signature
and the caller's id), and `webhook` (the channel, `TwilioVoiceChannel`, which
credentials.yml names).
"""

from channels.twilio_voice.webhook import TwilioVoiceChannel

__all__ = ["TwilioVoiceChannel"]
