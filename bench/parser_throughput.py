"""Parser throughput in MB/s and how it grows with input size.

    python -m bench.parser_throughput

Each input is parsed at 1x and 4x its size; a linear-time parser keeps the same MB/s, so the
`growth` column (time at 4x / 4 times the time at 1x) stays near 1.0.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from pipelines.parsing import parse_report

SEED = (Path(__file__).parent.parent / "seeds" / "000_18c40586699a2521.txt").read_bytes()
HEADER, _, BODY = SEED.partition(b"\n## ")
BODY = b"\n## " + BODY

INPUTS: dict[str, Callable[[int], bytes]] = {
    "real report text": lambda k: HEADER + BODY * (100 * k),
    "heading-like long line": lambda k: HEADER + b"\n" + "**1. 应用领域".encode() * (200_000 * k),
    "bold and colons line": lambda k: HEADER + b"\n" + "** **：".encode() * (300_000 * k),
    "link-like long line": lambda k: (
        HEADER + b"\n- **Link**: " + b"https://hf.co/papers/" * (100_000 * k)
    ),
    "many short lines": lambda k: HEADER + b"\n" + b"- a\n**1.**\n" * (100_000 * k),
}


def best_time(data: bytes, repeats: int = 3) -> float:
    """The fastest of a few parses, in seconds (the least disturbed by other work)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        parse_report(data)
        times.append(time.perf_counter() - start)
    return min(times)


def measure() -> list[dict[str, float | str]]:
    rows = []
    for name, make in INPUTS.items():
        small, large = make(1), make(4)
        small_time, large_time = best_time(small), best_time(large)
        rows.append(
            {
                "input": name,
                "MB (4x)": len(large) / 1e6,
                "MB/s": len(large) / 1e6 / large_time,
                "growth": large_time / (4 * small_time),
            }
        )
    return rows


def main() -> None:
    print(f"{'input':24} {'MB (4x)':>8} {'MB/s':>8} {'growth':>7}")
    for row in measure():
        print(f"{row['input']:24} {row['MB (4x)']:8.1f} {row['MB/s']:8.1f} {row['growth']:7.2f}")


if __name__ == "__main__":
    main()
