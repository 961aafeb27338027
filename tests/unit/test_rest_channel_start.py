"""The REST channel freezes the start-up heap once the server has started (see channels/rest.py)."""

from __future__ import annotations

import asyncio
import gc

from channels.rest import SafeRestInput, freeze_startup_heap


def test_the_blueprint_registers_the_freeze_after_start() -> None:
    blueprint = SafeRestInput().blueprint(lambda message: asyncio.sleep(0))
    after_start = [future for future in blueprint._future_listeners if future.event == "after_server_start"]
    assert [future.listener for future in after_start] == [freeze_startup_heap]


def test_the_freeze_moves_live_objects_out_of_the_collectors_sight() -> None:
    keep = [object() for _ in range(1000)]
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        asyncio.run(freeze_startup_heap(None, None))
        assert gc.get_freeze_count() >= len(keep)
    finally:
        gc.unfreeze()
