"""Rasa channels of the assistant, the fallback for a failing action server, and a speed fix."""

from channels.action_fallback import install as _install_action_fallback
from channels.action_validation import install as _install_action_validation

_install_action_fallback()
_install_action_validation()
