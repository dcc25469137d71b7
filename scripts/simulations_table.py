#!/usr/bin/env python3
"""Markdown table of the `simulations` benchmark: median time per call and ratios.

Reads criterion's `<target>/criterion/<group>/<bench>/new/estimates.json` (the median's
point estimate, in nanoseconds) for the five groups `benches/simulations.rs` writes, each
holding `forward` (the plain function), `generated` (`f_grad`) and `hand` (the
hand-written adjoint), and prints one row per case with

* generated / hand: the generated gradient's time over the hand-written adjoint's, and
* grad / forward: the generated gradient's time in forward passes.

Usage: `cargo bench --bench simulations && python3 scripts/simulations_table.py [CRITERION_DIR]`.
The criterion directory defaults to `$CARGO_TARGET_DIR/criterion`, else `target/criterion`
next to this script's repository. Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BENCHES = ("forward", "generated", "hand")
# (group, the case's name in the table), in the benchmark's order.
CASES = (
    ("sim_heat_inline", "heat, 32 points x 100 steps, stencil inline"),
    ("sim_heat_called", "heat, each step a call"),
    ("sim_heat_checkpointed", "heat, called, `#[checkpoint]`"),
    ("sim_nbody", "n-body, 8 bodies x 50 steps"),
    ("sim_spring", "damped spring, 100 steps"),
)


def criterion_dir() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    target = os.environ.get("CARGO_TARGET_DIR")
    root = Path(__file__).resolve().parent.parent
    return (Path(target) if target else root / "target") / "criterion"


def median_ns(group: Path, bench: str) -> float | None:
    path = group / bench / "new" / "estimates.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text())["median"]["point_estimate"]


def fmt_ns(ns: float) -> str:
    if ns >= 10_000:
        return f"{ns / 1000:,.1f} µs"
    return f"{ns:,.0f} ns" if ns >= 100 else f"{ns:,.1f} ns"


def main() -> int:
    base = criterion_dir()
    if not base.is_dir():
        print(f"no criterion results in {base}; run `cargo bench --bench simulations` first")
        return 1
    print("| case | forward | generated grad | hand-written grad | generated / hand "
          "| grad / forward |")
    print("|---|---:|---:|---:|---:|---:|")
    missing = []
    for group, name in CASES:
        medians = [median_ns(base / group, bench) for bench in BENCHES]
        absent = [f"{group}/{b}" for b, m in zip(BENCHES, medians) if m is None]
        if absent:
            missing.extend(absent)
            continue
        forward, generated, hand = medians
        print(f"| {name} | {fmt_ns(forward)} | {fmt_ns(generated)} | {fmt_ns(hand)} "
              f"| {generated / hand:.2f} | {generated / forward:.2f} |")
    print()
    print("Medians of criterion's samples per call, from the latest run.")
    if missing:
        print(f"missing: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
