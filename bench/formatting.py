"""Figures as text: percentages, sizes, Markdown and terminal tables, JSON-ready values."""

from __future__ import annotations

from dataclasses import asdict, is_dataclass
from typing import Any, Optional, Sequence


def pct(x: Optional[float]) -> str:
    """0.9123 -> 91.2 %."""
    return "-" if x is None else f"{100 * x:.1f} %"


def num(x: Optional[float], digits: int = 1) -> str:
    """A number or a dash."""
    return "-" if x is None else f"{x:.{digits}f}"


def mb(n: Optional[float]) -> str:
    """Bytes as MB."""
    return "-" if not n else f"{n / 1e6:.1f} MB"


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table."""
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(str(c).replace("|", "\\|") for c in row) + " |" for row in rows]
    return "\n".join(out)


def plain_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A fixed-width text table for the terminal."""
    cells = [list(map(str, headers))] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def jsonable(x: Any) -> Any:
    """Dataclasses, counters with tuple keys and tuples as plain JSON."""
    if is_dataclass(x) and not isinstance(x, type):
        return jsonable(asdict(x))
    if isinstance(x, dict):
        return {(" -> ".join(k) if isinstance(k, tuple) else str(k)): jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [jsonable(v) for v in x]
    return x
