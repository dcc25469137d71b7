#!/usr/bin/env python3
"""Markdown table of the `gradients` benchmark: median time per call and ratios.

Reads criterion's `<target>/criterion/<group>/<bench>/new/estimates.json` (the median's
point estimate, in nanoseconds) for every group that has the three benchmarks
`forward`, `generated` and `hand` written by `benches/gradients.rs`, and prints one row
per group with

* generated / hand: the generated gradient's time over the hand-written adjoint's
  (SPEC.md's bar is 1.10), and
* gradient / forward for both gradients: what a gradient costs in forward passes.

Usage: `cargo bench --bench gradients && python3 scripts/bench_table.py [CRITERION_DIR]`.
The criterion directory defaults to `$CARGO_TARGET_DIR/criterion`, else `target/criterion`
next to this script's repository. Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

BENCHES = ("forward", "generated", "hand")
# The benchmark's own order; any other complete group is listed after these.
ORDER = ("calc", "mlp_h10", "mlp_h32", "mlp_h64", "spring100")
BAR = 1.10


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
    return f"{ns:,.1f}" if ns < 100 else f"{ns:,.0f}"


def main() -> int:
    base = criterion_dir()
    if not base.is_dir():
        print(f"no criterion results in {base}; run `cargo bench --bench gradients` first")
        return 1
    rows = {}
    for group in base.iterdir():
        medians = [median_ns(group, bench) for bench in BENCHES]
        if all(m is not None for m in medians):
            rows[group.name] = medians
    if not rows:
        print(f"no group in {base} has all of {', '.join(BENCHES)}")
        return 1
    names = [n for n in ORDER if n in rows] + sorted(n for n in rows if n not in ORDER)

    print("| function | forward (ns) | generated grad (ns) | hand-written grad (ns) "
          "| generated / hand | generated / forward | hand / forward |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    over = []
    for name in names:
        forward, generated, hand = rows[name]
        ratio = generated / hand
        flag = " ⚠" if ratio > BAR else ""
        if flag:
            over.append(name)
        print(f"| {name} | {fmt_ns(forward)} | {fmt_ns(generated)} | {fmt_ns(hand)} "
              f"| {ratio:.2f}{flag} | {generated / forward:.2f} | {hand / forward:.2f} |")
    print()
    print("Medians of criterion's samples (ns per call), from the latest run.")
    if over:
        print(f"⚠ generated / hand above {BAR:.2f}: {', '.join(over)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
