#!/usr/bin/env python3
"""Markdown table of the `objectives` benchmark: median time per call and ratios.

Reads criterion's `<target>/criterion/<group>/<bench>/new/estimates.json` (the median's
point estimate, in nanoseconds) for the two groups `benches/objectives.rs` writes:

* `gmm_n1000`: `objective`, `gradient` and `hand`; the ratio gradient / objective is
  issue 10's measure (bar 2.7, Enzyme's; goal 2.5), hand / objective what a hand-written
  fused adjoint reaches on the same machine;
* `ba`: `residual` and `jacobian` (one `_vjp`, two `backward`); the ratio
  jacobian / residual (bar 3.7; goal 3.0).

Usage: `cargo bench --bench objectives && python3 scripts/objectives_table.py [CRITERION_DIR]`.
The criterion directory defaults to `$CARGO_TARGET_DIR/criterion`, else `target/criterion`
next to this script's repository. Python 3.11 standard library only.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

# (group, baseline bench, [(bench, bar, goal)]): each bench is divided by the baseline.
ROWS = (
    ("gmm_n1000", "objective", (("gradient", 2.7, 2.5), ("hand", None, None))),
    ("ba", "residual", (("jacobian", 3.7, 3.0),)),
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
    return f"{ns:,.1f} ns"


def main() -> int:
    base = criterion_dir()
    if not base.is_dir():
        print(f"no criterion results in {base}; run `cargo bench --bench objectives` first")
        return 1
    print("| case | baseline | measured | time | ratio | bar (goal) |")
    print("|---|---|---|---:|---:|---:|")
    missing = []
    for group, baseline, benches in ROWS:
        base_ns = median_ns(base / group, baseline)
        if base_ns is None:
            missing.append(f"{group}/{baseline}")
            continue
        print(f"| {group} | {baseline} | {baseline} | {fmt_ns(base_ns)} | 1.00 | |")
        for bench, bar, goal in benches:
            ns = median_ns(base / group, bench)
            if ns is None:
                missing.append(f"{group}/{bench}")
                continue
            ratio = ns / base_ns
            flag = " ⚠" if bar is not None and ratio > bar else ""
            target = f"{bar:.1f} ({goal:.1f})" if bar is not None else ""
            print(f"| {group} | {baseline} | {bench} | {fmt_ns(ns)} | {ratio:.2f}{flag} | {target} |")
    print()
    print("Medians of criterion's samples per call, from the latest run; ⚠ above the bar.")
    if missing:
        print(f"missing: {', '.join(missing)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
