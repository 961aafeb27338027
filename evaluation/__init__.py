"""Held-out evaluation of the assistant."""
