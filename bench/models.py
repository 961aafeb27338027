"""One interface over the three models compared: parse a text, remember how long it took."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any, Dict, List, Optional


class Predictor:
    """Parses text into Rasa's parse-result shape and records each parse's latency (s)."""

    name = ""
    kind = ""

    def __init__(self) -> None:
        self.latencies: List[float] = []
        self.load_s: float = 0.0

    async def _parse(self, text: str) -> Dict[str, Any]:
        raise NotImplementedError

    async def parse(self, text: str) -> Dict[str, Any]:
        """One parse, timed."""
        t0 = time.perf_counter()
        result = await self._parse(text)
        self.latencies.append(time.perf_counter() - t0)
        return result

    async def parse_many(self, texts: List[str]) -> List[Dict[str, Any]]:
        """Parses one text after the other (latency of a single message, no batching)."""
        return [await self.parse(t) for t in texts]

    def parse_many_sync(self, texts: List[str]) -> List[Dict[str, Any]]:
        """``parse_many`` from synchronous code."""
        return asyncio.run(self.parse_many(texts))

    def intents(self, texts: List[str]) -> List[str]:
        """Predicted intent names."""
        return [p["intent"]["name"] for p in self.parse_many_sync(texts)]


class RasaPredictor(Predictor):
    """A trained Rasa model (full or NLU-only) loaded in this process with ``Agent.load``."""

    def __init__(self, name: str, model: Path, kind: str = "rasa") -> None:
        super().__init__()
        self.name, self.model, self.kind = name, model, kind
        self._agent: Optional[Any] = None

    def load(self) -> "RasaPredictor":
        """Loads the model (3 to 20 s)."""
        from rasa.core.agent import Agent

        t0 = time.monotonic()
        self._agent = Agent.load(str(self.model))
        self.load_s = time.monotonic() - t0
        return self

    async def _parse(self, text: str) -> Dict[str, Any]:
        if self._agent is None:
            self.load()
        assert self._agent is not None
        return dict(await self._agent.parse_message(text))


class SklearnPredictor(Predictor):
    """A fitted scikit-learn text classifier with ``predict_proba``."""

    def __init__(self, name: str, pipeline: Any) -> None:
        super().__init__()
        self.name, self.kind, self.pipeline = name, "sklearn", pipeline
        self.classes = list(pipeline.classes_)

    def _result(self, text: str, proba: Any) -> Dict[str, Any]:
        best = int(proba.argmax())
        return {"text": text, "intent": {"name": self.classes[best], "confidence": float(proba[best])}, "entities": []}

    async def _parse(self, text: str) -> Dict[str, Any]:
        return self._result(text, self.pipeline.predict_proba([text])[0])

    async def parse_many(self, texts: List[str]) -> List[Dict[str, Any]]:
        """All at once (same answers, much faster); per-message latency comes from ``parse``."""
        probas = self.pipeline.predict_proba(texts) if texts else []
        return [self._result(t, p) for t, p in zip(texts, probas, strict=True)]


def quiet_latencies(predictor: Predictor, texts: List[str], warmup: int = 5) -> List[float]:
    """Seconds per parse of ``texts``, one at a time, after a short warm-up (run when nothing else trains)."""

    async def one_by_one() -> None:
        for t in texts[:warmup]:
            await predictor.parse(t)
        del predictor.latencies[:]
        for t in texts:
            await predictor.parse(t)

    asyncio.run(one_by_one())
    return list(predictor.latencies)
