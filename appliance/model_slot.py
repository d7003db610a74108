"""Hot swap in the running service: calls in progress finish on the model they started with.

The service keeps one ModelSlot per kind (llm, asr, tts). A call leases the slot's engine at
its start and keeps that engine for its whole length. On reload (SIGHUP after `wardline models
activate`) the service loads and starts the new engine first, then `swap`s it in: new calls get
it at once, and the old engine is closed when its last call ends. A load that fails never
reaches `swap`, so the old model stays. Runs on the event loop; engines' close() is awaited.

Beside the other shared pieces rather than in registry/: the engine process (speech/shared) and
a call's parts (call/) hold slots, and the registry, which builds engines, sits above speech.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any, Generic, Protocol, TypeVar


class _Closable(Protocol):
    async def close(self) -> None: ...


E = TypeVar("E", bound=_Closable)


class ModelSlot(Generic[E]):
    def __init__(self, engine: E, model_id: str) -> None:
        self._engine = engine
        self.model_id = model_id
        self._leases: dict[int, int] = {}
        self._retired: dict[int, Any] = {}
        self.swaps = 0

    @property
    def engine(self) -> E:
        return self._engine

    @contextlib.asynccontextmanager
    async def lease(self) -> AsyncIterator[E]:
        """The current engine, pinned for one call."""
        engine = self._engine
        key = id(engine)
        self._leases[key] = self._leases.get(key, 0) + 1
        try:
            yield engine
        finally:
            self._leases[key] -= 1
            if self._leases[key] == 0:
                del self._leases[key]
                retired = self._retired.pop(key, None)
                if retired is not None:
                    await retired.close()

    async def swap(self, engine: E, model_id: str) -> None:
        """Make `engine` (already started) current; the old one closes after its last call."""
        old = self._engine
        self._engine, self.model_id = engine, model_id
        self.swaps += 1
        if old is engine:
            return
        if self._leases.get(id(old)):
            self._retired[id(old)] = old
        else:
            await old.close()

    def calls_on_old_models(self) -> int:
        return sum(n for key, n in self._leases.items() if key != id(self._engine))
