"""Rasa channels of the assistant, plus server patches installed when Rasa imports this package.

The fallback for a failing action server, a prepared validator for action
replies, no slot validation call for messages that cannot change a slot, and
a SQL tracker store save without a COUNT per message: each module says why.
"""

from channels.action_fallback import install as _install_action_fallback
from channels.action_validation import install as _install_action_validation
from channels.slot_validation import install as _install_slot_validation
from channels.sql_tracker_store import install as _install_sql_tracker_store

_install_action_fallback()
_install_action_validation()
_install_slot_validation()
_install_sql_tracker_store()
