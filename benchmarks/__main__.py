"""The whole benchmark suite in one command: per-op overhead, per-layer times, end-to-end training.

Run from the repository root::

    python -m benchmarks                     # everything, about 7 minutes on 2 cores
    python -m benchmarks --quick             # a short run (2 to 3 minutes), for a first look
    python -m benchmarks --only train        # one part: overhead, layers, train, hvp (comma-separated)
    python -m benchmarks --update-baseline   # also make this run the baseline

Each part prints its table as it goes (see ``benchmarks/overhead.py``, ``benchmarks/layers.py``,
``benchmarks/train.py`` and ``benchmarks/higher_order.py`` for what is timed and how). PyTorch,
when installed, runs beside tensorlite in the same run, the two sides alternating; ratios are only
ever taken between figures of the same run. At the end the suite lists the targets with PASS or
MISS, writes every figure with the environment to ``benchmarks/results/latest.json`` (``--json``),
and compares each figure with ``benchmarks/baseline.json`` (``--baseline``): the change in
percent, and REGRESSION where a figure got more than 10% worse. ``--update-baseline`` writes this
run's results there.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks import higher_order, layers, overhead, train

DURATIONS = """\
how long it takes, on 2 CPU cores with PyTorch side by side (a busy machine takes longer; each
run prints every part's seconds and records them in the JSON under "seconds"):
  python -m benchmarks                 about 7 minutes: overhead ~1.5 min, layers ~1.5 min, train ~4 min
  python -m benchmarks --quick         2 to 3 minutes: overhead a few seconds, layers under 1 min,
                                       train about 2 min
  --no-torch                           about half the time: tensorlite's side only
  --only overhead|layers|train|hvp     that part's share of the times above (hvp: under 30 s)
"""

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
BASELINE = HERE / "baseline.json"
PARTS = ("overhead", "layers", "train", "hvp")
REGRESSION = 0.10  # a figure more than 10% worse than the baseline's is flagged


def figure(value: float | None, unit: str, better: str) -> dict[str, Any]:
    """One figure of the run: its value, unit and direction (``higher``, ``lower`` or ``info``:
    shown, never flagged, e.g. PyTorch's own speed)."""
    return {"value": value, "unit": unit, "better": better}


def run_overhead(quick: bool, torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    iterations, rounds = (2_000, 5) if quick else (20_000, 20)
    plan = [(overhead.TINY, iterations), (overhead.LARGE, max(rounds, iterations // overhead.LARGE_DIVISOR))]
    print(f"== per-op overhead: ((a*b + c).tanh()).sum().backward(), {overhead.OPS_PER_ITERATION} ops, "
          f"best of {rounds} alternating rounds")
    results = [overhead.measure(shape, n, rounds, torch) for shape, n in plan]
    print(overhead.format_table(results) + "\n")
    figures = {}
    for r in results:
        label = f"overhead {r.shape}"
        figures[f"{label}: tensorlite µs/op"] = figure(r.us_per_op("tensorlite"), "µs", "lower")
        figures[f"{label}: PyTorch µs/op"] = figure(r.us_per_op("PyTorch"), "µs", "info")
        figures[f"{label}: tensorlite/PyTorch"] = figure(r.ratio("PyTorch"), "x", "lower")
        figures[f"{label}: tensorlite/NumPy"] = figure(r.ratio(overhead.NUMPY), "x", "lower")
    payload = {"rounds": rounds, "results": [
        {"shape": list(r.shape), "us_per_op": {s: r.us_per_op(s) for s in r.rounds},
         "ratio_vs_torch": r.ratio("PyTorch"), "ratio_vs_numpy_seed_style": r.ratio(overhead.NUMPY)}
        for r in results], "targets": overhead.targets(results)}
    return payload, figures


def run_layers(quick: bool, torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    rounds = 3 if quick else 10
    print(f"== per layer: forward + backward, best of {rounds} alternating rounds")
    rows = layers._table("layer", ("tensorlite ms", "PyTorch ms", "tl/PyTorch"),
                         ((c.name, layers.measure(c.name, layers._layer_sides(c, torch), c.iterations, rounds))
                          for c in layers.CASES), ("tensorlite", "PyTorch"))
    fused = layers._table("fused op", ("fused ms", "composite ms", "fused/comp"),
                          ((c.name, layers.measure(c.name, layers._fused_sides(c), c.iterations, rounds))
                           for c in layers.FUSED_CASES), ("fused", "composite"))
    figures = {}
    for row in rows:
        figures[f"layer {row['name']}: tensorlite ms"] = figure(row["ms"]["tensorlite"], "ms", "lower")
        figures[f"layer {row['name']}: PyTorch ms"] = figure(row["ms"].get("PyTorch"), "ms", "info")
        figures[f"layer {row['name']}: tensorlite/PyTorch"] = figure(row["ratio"], "x", "lower")
    for row in fused:
        figures[f"fused {row['name']}: fused/composite"] = figure(row["ratio"], "x", "lower")
    return {"rounds": rounds, "results": rows, "fused_vs_composite": fused}, figures


def run_train(quick: bool, with_torch: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    samples, rounds = (2_500, 2) if quick else (10_000, 3)
    print("== end-to-end training")
    rows = train.run(samples=samples, rounds=rounds, with_torch=with_torch)
    figures = {}
    for row in rows:
        label = f"train {row['name']}"
        figures[f"{label}: tensorlite samples/s"] = figure(row["tensorlite"]["samples_per_s"], "1/s", "higher")
        figures[f"{label}: tensorlite peak MiB"] = figure(row["tensorlite"]["peak_rss_mb"], "MiB", "lower")
        if "PyTorch" in row:
            figures[f"{label}: PyTorch samples/s"] = figure(row["PyTorch"]["samples_per_s"], "1/s", "info")
            figures[f"{label}: tensorlite/PyTorch"] = figure(row["ratio"], "x", "higher")
            figures[f"{label}: memory tensorlite/PyTorch"] = figure(row["rss_ratio"], "x", "lower")
    return {"samples": samples, "rounds": rounds, "results": rows}, figures


def run_hvp(quick: bool, torch: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    iterations, rounds = (5, 3) if quick else (20, 5)
    print(f"== Hessian-vector product by double backward: MLP {' -> '.join(map(str, higher_order.SIZES))}, "
          f"batch {higher_order.BATCH}, best of {rounds} alternating rounds")
    result = higher_order.measure(torch, iterations, rounds)
    print(higher_order.format_table(result) + "\n")
    figures = {"hvp MLP: tensorlite HVP ms": figure(result["ms"]["tensorlite"]["hvp"], "ms", "lower"),
               "hvp MLP: tensorlite HVP/(2 gradient)": figure(result["hvp_over_two_gradients"]["tensorlite"],
                                                              "x", "info")}
    if "PyTorch" in result["ms"]:
        figures["hvp MLP: PyTorch HVP/(2 gradient)"] = figure(result["hvp_over_two_gradients"]["PyTorch"], "x", "info")
        figures["hvp MLP: HVP tensorlite/PyTorch"] = figure(result["hvp tl/PyTorch"], "x", "lower")
    return {"iterations": iterations, "rounds": rounds, **result}, figures


def targets(figures: dict[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with the figure it reads and PASS, MISS or SKIP."""
    checks = [(f"overhead {overhead.TINY}: tensorlite/PyTorch", "<=", overhead.TORCH_TARGET)]
    for model, limit in train.TARGETS.items():
        for batch in train.BATCHES:
            checks.append((f"train {model.upper()} batch {batch}: tensorlite/PyTorch", ">=", limit))
    for model in train.TARGETS:
        for batch in train.BATCHES:
            checks.append((f"train {model.upper()} batch {batch}: memory tensorlite/PyTorch", "<=", train.RSS_TARGET))
    out = []
    for name, op, limit in checks:
        value = figures.get(name, {}).get("value")
        met = value is not None and (value <= limit if op == "<=" else value >= limit)
        verdict = "SKIP" if value is None else ("PASS" if met else "MISS")
        out.append({"figure": name, "target": f"{op} {limit}", "value": value, "verdict": verdict})
    return out


def compare(figures: dict[str, Any], baseline: dict[str, Any]) -> list[dict[str, Any]]:
    """Each figure next to the baseline's: the change in percent, and whether it regressed."""
    old = baseline.get("figures", {})
    rows = []
    for name, fig in figures.items():
        before, now = old.get(name, {}).get("value"), fig["value"]
        if before is None or now is None or before == 0:
            continue
        change = (now - before) / abs(before)
        worse = -change if fig["better"] == "higher" else change
        rows.append({"figure": name, "baseline": before, "now": now, "change": change,
                     "regression": fig["better"] != "info" and worse > REGRESSION})
    return rows


def _fmt(v: float | None) -> str:
    return "n/a" if v is None else (f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0],
                                     epilog=DURATIONS, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="fewer iterations, rounds and samples: 2 to 3 minutes instead of about 7")
    parser.add_argument("--only", default=",".join(PARTS),
                        help="parts to run, comma-separated: overhead, layers, train, hvp (default all)")
    parser.add_argument("--no-torch", action="store_true", help="time tensorlite only")
    parser.add_argument("--json", type=Path, default=RESULTS,
                        help=f"where to write the results (default {RESULTS.relative_to(HERE.parent)})")
    parser.add_argument("--baseline", type=Path, default=BASELINE, help="the results to compare with")
    parser.add_argument("--update-baseline", action="store_true", help="write this run's results as the baseline")
    parser.add_argument("--fail-on-regression", action="store_true", help="exit with status 1 when a figure regressed")
    args = parser.parse_args(argv)
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    if not parts or any(p not in PARTS for p in parts):
        parser.error(f"--only takes some of {', '.join(PARTS)}, got {args.only!r}")

    pinned = overhead._pin_malloc_thresholds() if "overhead" in parts or "layers" in parts else False
    torch = None if args.no_torch else overhead._load_torch()
    env = overhead._environment(torch)
    env.update(numpy_blas_threads=overhead._numpy_threads(), tensorlite_threads=overhead.tl.get_num_threads(),
               malloc_thresholds_pinned_in_process=pinned,
               malloc_env={k: v for k, v in os.environ.items() if k.startswith("MALLOC_")})
    print(f"tensorlite {env['tensorlite']} ({env['tensorlite_threads']} threads) | numpy {env['numpy']} | "
          + (f"torch {env['torch']} ({env['torch_threads']} threads)" if torch else "torch: not used")
          + f" | python {env['python']} | {env['cpu_count']} CPUs | {'quick' if args.quick else 'full'} run\n")

    payload: dict[str, Any] = {"environment": env, "mode": "quick" if args.quick else "full",
                               "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")}
    figures: dict[str, Any] = {}
    runners = {"overhead": lambda: run_overhead(args.quick, torch), "layers": lambda: run_layers(args.quick, torch),
               "train": lambda: run_train(args.quick, torch is not None),
               "hvp": lambda: run_hvp(args.quick, torch)}
    payload["seconds"] = {}
    for part in PARTS:
        if part in parts:
            started = time.perf_counter()
            payload[part], f = runners[part]()
            figures.update(f)
            payload["seconds"][part] = round(time.perf_counter() - started, 1)
            print(f"({part}: {payload['seconds'][part]:.0f} s)\n")
    payload["figures"] = figures
    payload["targets"] = targets(figures)

    print("== targets")
    for t in payload["targets"]:
        if t["verdict"] != "SKIP":
            print(f"{t['figure']:<52} {t['target']:>7}  {_fmt(t['value']):>7}  {t['verdict']}")

    if args.baseline.exists():
        baseline = json.loads(args.baseline.read_text(encoding="utf-8"))
        rows = compare(figures, baseline)
        payload["baseline_comparison"] = {"baseline": str(args.baseline), "baseline_date": baseline.get("date"),
                                          "baseline_mode": baseline.get("mode"), "figures": rows}
        print(f"\n== change from the baseline ({args.baseline.name}, {baseline.get('mode')} run of "
              f"{baseline.get('date')}; REGRESSION: more than {REGRESSION:.0%} worse)")
        if baseline.get("mode") != payload["mode"]:
            print(f"note: comparing a {payload['mode']} run with a {baseline.get('mode')} baseline")
        for r in rows:
            print(f"{r['figure']:<62} {_fmt(r['baseline']):>9} -> {_fmt(r['now']):>9} {r['change']:+7.1%}"
                  + ("  REGRESSION" if r["regression"] else ""))
        regressions = [r for r in rows if r["regression"]]
        print(f"{len(regressions)} regression(s) among {len(rows)} figures")
    else:
        regressions = []
        print(f"\nno baseline at {args.baseline}; run with --update-baseline to make one")

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"\nwrote {args.json}")
    if args.update_baseline:
        args.baseline.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.baseline} (the new baseline)")
    return 1 if regressions and args.fail_on_regression else 0


if __name__ == "__main__":
    sys.exit(main())
