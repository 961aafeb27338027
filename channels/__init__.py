"""Rasa channels of the assistant."""
