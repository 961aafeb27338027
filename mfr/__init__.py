"""The assistant's own logic, with no Rasa in it: settings, knowledge, profile, triage, detection.

Rasa's components (components/), actions (actions/) and channels (channels/)
are thin adapters over these modules; everything here is testable without a
model or a server.
"""
