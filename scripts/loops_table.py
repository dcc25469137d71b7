#!/usr/bin/env python3
"""Markdown table of the `loops` benchmark: gradient / forward of three loops over a
`Tensor<f64, N>` at each N, from criterion's median estimates.

Usage: `cargo bench --bench loops && python3 scripts/loops_table.py [CRITERION_DIR]`.
Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

SIZES = (10, 100, 1000, 4000)
LOOPS = (("sumsq", "sum of squares"), ("sin", "sin recurrence"), ("heat", "heat stencil"))


def criterion_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    target = os.environ.get("CARGO_TARGET_DIR")
    root = Path(__file__).resolve().parent.parent
    return (Path(target) if target else root / "target") / "criterion"


def median_ns(group: Path, bench: str) -> float | None:
    # criterion writes `sumsq/forward` as the directory `sumsq_forward`.
    path = group / bench.replace("/", "_") / "new" / "estimates.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt(ns: float) -> str:
    return f"{ns / 1000:,.1f} µs" if ns >= 1000 else f"{ns:,.1f} ns"


def main() -> None:
    root = criterion_dir()
    print("| N | " + " | ".join(f"{label}: forward, gradient, ratio" for _, label in LOOPS) + " |")
    print("|---:|" + "---:|" * len(LOOPS))
    for n in SIZES:
        group = root / f"loops_n{n}"
        cells = []
        for name, _ in LOOPS:
            fwd, grad = median_ns(group, f"{name}/forward"), median_ns(group, f"{name}/generated")
            if fwd is None or grad is None:
                cells.append("-")
            else:
                cells.append(f"{fmt(fwd)}, {fmt(grad)}, **{grad / fwd:.1f}**")
        print(f"| {n:,} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
