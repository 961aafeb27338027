"""Rasa channels of the assistant, plus server patches installed when Rasa imports this package.

The fallback for a failing action server, a prepared validator for action
replies, and no slot validation call for messages that cannot change a slot:
each module says why.
"""

from channels.action_fallback import install as _install_action_fallback
from channels.action_validation import install as _install_action_validation
from channels.slot_validation import install as _install_slot_validation

_install_action_fallback()
_install_action_validation()
_install_slot_validation()
