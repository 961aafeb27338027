"""The clinic's phone line: Rasa's Twilio Voice channel, made safe, speakable and usable from a keypad.

Routes `/webhooks/twilio_voice/webhook` (Twilio posts a form with `From`,
`SpeechResult`, `Digits`, `CallStatus`, `DialCallStatus`, ...; we answer with
TwiML) and `/webhooks/twilio_voice/whisper` (fetched when the clinic answers
a transfer). Differences from the stock channel
(`rasa.core.channels.twilio_voice`):

- Signature check: with `TWILIO_AUTH_TOKEN` set, every POST must carry a valid
  `X-Twilio-Signature` over the URL Twilio called (`TWILIO_PUBLIC_URL` behind a
  TLS proxy, else the request URL) and the form fields; anything else gets 403
  before it reaches the model. Without the token (tests, demos) nothing is
  checked and a warning is logged at start-up.
- Speech shaping: URLs, markdown, emoji and the "From: ..." source line are
  not read out; buttons become numbered choices ("Say or press one for ...");
  a long last message stops at about 20 seconds (400 characters) with an
  offer to hear the rest. Safety replies are read whole, emergency first.
- Keypad: every `<Gather>` hears speech and one key. 1 to 8 pick a choice as
  the spoken numbers do, 1 and 2 answer yes-or-no questions, 0 asks for a
  person, 9 repeats the last turn. Not understood twice in a row, a caller is
  offered the keys (`keypad`).
- Warm transfer: a bot message carrying `{"handoff": {"phone": ..., "summary":
  ...}}` (see `action_human_handoff`) is spoken, then the call is dialled to
  `CLINIC_PHONE_NUMBER` (never to the emergency number or crisis line) with a
  whisper of the summary for the staff member (`whisper`); if nobody answers,
  a call-back is offered (`action_request_callback` stores it).
- End of the call: after a goodbye the line offers once to text a summary
  (`sms`, Twilio's Messages API, off without credentials), then hangs up; an
  `{"end_call": true}` payload also hangs up after the reply.
- No speech: the last prompt is repeated (with its choices); after
  `MAX_REPLAYS` silent replays the call ends politely.
- Every call starts a new Rasa session, so each caller hears the disclaimer
  and no previous call's health details carry over. Callers who withhold their
  number get a conversation per call (keyed by CallSid).

The per-caller state (offered choices, unread rest, last turn) and the
whispers live in this process: with several Rasa replicas a call's requests
must reach the same one.

The channel shapes what Rasa gives it and never reads the conversation store
or renders responses itself: its own few prompts and the words it listens for
are in `speech.yml`, the clinic's numbers in the clinic's settings.

The modules: `wording` (speech.yml), `speech` (text shaped for the ear),
`choices` (numbered choices said or pressed), `keypad` (keys, yes or no, the
keypad offer), `plan` (what one turn says and does), `twiml` (a plan as
TwiML), `whisper`, `sms`, `callers` (per-call memory), `signature` (Twilio's
request signature and the caller's id), `output` (the collecting output
channel) and `webhook` (the channel, `TwilioVoiceChannel`, which
credentials.yml names).
"""

from channels.twilio_voice.webhook import TwilioVoiceChannel

__all__ = ["TwilioVoiceChannel"]
