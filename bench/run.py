"""`make bench`: run every benchmark in its own process, print a table, write results.json.

Each benchmark module exposes ``run(...) -> dict[str, float]``. Running each in a fresh
interpreter keeps one benchmark's memory and caches out of the next one's figures (the
pipeline's peak RSS in particular). ``--repeat N`` runs each N times and records medians;
``--only name`` runs a subset. Figures land in bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCHES = ("hygiene", "roles", "health", "pipeline", "salesforce", "hubspot")
RESULTS = Path(__file__).with_name("results.json")


def _run_one(name: str) -> dict[str, float]:
    code = (
        "import json, importlib; "
        f"m = importlib.import_module('bench.bench_{name}'); "
        "print('@@RESULT@@' + json.dumps(m.run()))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench {name} failed:\n{proc.stderr[-4000:]}")
    line = next(ln for ln in proc.stdout.splitlines() if ln.startswith("@@RESULT@@"))
    result: dict[str, float] = json.loads(line.removeprefix("@@RESULT@@"))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", action="append", choices=BENCHES)
    args = parser.parse_args(argv)
    names = args.only or list(BENCHES)
    runs: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    started = time.monotonic()
    for name in names:
        for attempt in range(args.repeat):
            t0 = time.monotonic()
            try:
                figures = _run_one(name)
            except Exception as exc:  # one broken bench must not hide the others' figures
                failures[name] = str(exc)
                break
            for key, value in figures.items():
                runs.setdefault(key, []).append(float(value))
            print(
                f"  {name} run {attempt + 1}/{args.repeat}: {time.monotonic() - t0:.1f}s",
                file=sys.stderr,
            )
    results: dict[str, Any] = {key: statistics.median(vals) for key, vals in sorted(runs.items())}
    payload = {
        "figures": results,
        "runs": {k: v for k, v in sorted(runs.items())},
        "repeat": args.repeat,
        "failures": failures,
        "total_seconds": round(time.monotonic() - started, 1),
        "python": sys.version.split()[0],
    }
    RESULTS.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    width = max((len(k) for k in results), default=10)
    print(f"{'figure':<{width}}  median")
    for key, value in results.items():
        print(f"{key:<{width}}  {value:,.3f}" if value % 1 else f"{key:<{width}}  {value:,.0f}")
    for name, error in failures.items():
        print(f"FAILED {name}: {error.splitlines()[-1] if error else ''}")
    print(f"wrote {RESULTS}")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
