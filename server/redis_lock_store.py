"""Rasa's Redis lock store with atomic ticket updates, for several Rasa servers.

Rasa 3.6's `RedisLockStore` (`lock_store: type: redis`) changes a
conversation's ticket lock with a plain GET, a change in Python and a SET.
When two servers take a ticket for the same conversation at the same moment,
both read the same lock, both write it back, and one ticket is lost: both
servers then handle their message at once and one message's events are not
stored, although both requests answer 200. The scale-out test
(`tests/scaleout`) reproduces this with two messages of one conversation sent
to both servers together.

This subclass does each of those read-change-write steps as a Redis
transaction (WATCH/MULTI/EXEC, retried when another server changed the lock in
between). Keys, key prefix, ticket format and settings are the stock ones.

    lock_store:
      type: server.redis_lock_store.AtomicRedisLockStore
      url: ...
      port: ...
      db: ...
      password: ...
      key_prefix: mfr
"""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Callable, Optional, Text, Tuple, TypeVar

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError, RedisLockStore
from rasa.utils.endpoints import EndpointConfig

T = TypeVar("T")
# Each retry means another server changed this conversation's lock in between;
# a handful of servers cannot need anywhere near this many.
MAX_ATTEMPTS = 100


class AtomicRedisLockStore(RedisLockStore):
    """`RedisLockStore` whose ticket changes are Redis transactions."""

    def __init__(self, endpoint_config: Optional[EndpointConfig] = None, **kwargs: Any) -> None:
        """From an endpoints.yml entry (how Rasa builds a custom lock store) or from keyword arguments."""
        import server

        server.install_all()
        if endpoint_config is not None:
            kwargs = {"host": endpoint_config.url, **endpoint_config.kwargs, **kwargs}
        super().__init__(**kwargs)

    def _change(self, conversation_id: Text,
                change: Callable[[Optional[TicketLock]], Tuple[Optional[TicketLock], T]]) -> T:
        """Applies `change` to the stored lock atomically; a returned lock of None deletes it."""
        import redis

        key = self.key_prefix + conversation_id
        for _ in range(MAX_ATTEMPTS):
            with self.red.pipeline() as pipe:
                try:
                    pipe.watch(key)
                    raw = pipe.get(key)
                    lock = TicketLock.from_dict(json.loads(raw)) if raw else None
                    new_lock, result = change(lock)
                    pipe.multi()
                    if new_lock is not None:
                        pipe.set(key, new_lock.dumps())
                    elif lock is not None:
                        pipe.delete(key)
                    pipe.execute()
                    return result
                except redis.WatchError:
                    continue
        raise LockError(f"Could not update the lock of conversation '{conversation_id}': too much contention.")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        """Issues the next ticket for `conversation_id` (creating its lock if needed)."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], int]:
            lock = lock or self.create_lock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except LockError:
            raise
        except Exception as e:
            raise LockError(f"Error while acquiring lock. Error:\n{e}") from e

    def update_lock(self, conversation_id: Text) -> None:
        """Removes expired tickets."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket `ticket_number`."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: Text, ticket_number: int) -> None:
        """Removes the ticket, and the whole lock when nobody else holds a ticket, in one step."""

        def change(lock: Optional[TicketLock]) -> Tuple[Optional[TicketLock], None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)

    @asynccontextmanager
    async def lock(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME,
                   wait_time_in_seconds: float = 1) -> AsyncGenerator[TicketLock, None]:
        """Rasa's ticket lock, except that a waiter whose own ticket expired takes a new one.

        Rasa 3.6 waits while `now_serving != ticket`; once the waiter's own ticket
        has expired (it waited longer than the lock lifetime), no ticket can ever
        match and the request hangs until the client gives up. The scale-out
        test's "kill one server" case ran into this: re-sent messages of
        conversations that had a ticket on the killed server hung for good.
        The ticket in use is tracked, so the one released at the end is the one held.
        """
        ticket = self.issue_ticket(conversation_id, lock_lifetime)
        try:
            while True:
                lock = self.get_lock(conversation_id)
                if lock is None:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                if not lock.is_locked(ticket):
                    break
                if lock._ticket_for_ticket_number(ticket) is None:
                    ticket = self.issue_ticket(conversation_id, lock_lifetime)
                    continue
                await asyncio.sleep(wait_time_in_seconds)
                self.update_lock(conversation_id)
            yield lock
        finally:
            self.cleanup(conversation_id, ticket)
