"""Rasa channels of the assistant, and the fallback for a failing action server."""

from channels.action_fallback import install as _install_action_fallback

_install_action_fallback()
