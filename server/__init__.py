"""The project's extensions of the Rasa server, installed by one explicit call: `install_all()`.

Each module patches one piece of Rasa 3.6 and says why, with a test that
compares it with Rasa's own behaviour:

- `action_fallback`: an apology with the clinic's contact when the action
  server is down or slow, instead of no reply at all;
- `action_validation`: action-server replies validated at a fraction of
  Rasa's cost (it rebuilt a JSON-Schema validator per reply);
- `slot_validation`: no action-server call to update the profile slots for
  messages that cannot change them;
- `sql_tracker_store`: no COUNT query before every save;
- `store_failures`: a failing conversation store is a loud error, never a
  silent fall-back to memory;
- `startup`: what start-up loaded is frozen out of the garbage collector's
  sight once the model is loaded.

`install_all()` is idempotent. Every way of starting the server calls it:
the conversation store named in endpoints.yml
(`server.tracker_store.ProjectSQLTrackerStore`), the Redis lock store of the
scale-out set-up (`server.redis_lock_store`), and each of the project's
channels; so the extensions are in force even with Rasa's stock channels.
"""

from __future__ import annotations

import logging
from typing import List

logger = logging.getLogger(__name__)

_installed: List[str] = []


def install_all() -> List[str]:
    """Installs every extension once per process; returns their names."""
    if _installed:
        return list(_installed)
    from server import action_fallback, action_validation, slot_validation, sql_tracker_store, startup, store_failures

    for module in (action_fallback, action_validation, slot_validation, sql_tracker_store, store_failures, startup):
        module.install()
        _installed.append(module.__name__.rsplit(".", 1)[-1])
    logger.info("Server extensions installed: %s", ", ".join(_installed))
    return list(_installed)


def installed() -> List[str]:
    """The extensions installed in this process so far."""
    return list(_installed)
