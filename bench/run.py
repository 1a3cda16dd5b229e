"""`make bench`: run every benchmark in its own process, print a table, write results.json.

Each benchmark module exposes ``run(...) -> dict[str, float]``. Running each in a fresh
interpreter keeps one benchmark's memory and caches out of the next one's figures (the
pipeline's peak RSS in particular). ``--repeat N`` runs each N times and records medians;
``--only name`` runs a subset. Figures land in bench/results.json.

The pipeline benchmark (a 1,000,000-contact sync, single-threaded, about four minutes)
runs alongside the others, which run one after another: the machine has two cores, and
this keeps `make bench` within five minutes. ``--serial`` runs everything one at a time.
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


#: started first and left running while the others run one after another
ALONGSIDE = "pipeline"


def _start(name: str) -> subprocess.Popen[str]:
    code = (
        "import json, importlib; "
        f"m = importlib.import_module('bench.bench_{name}'); "
        "print('@@RESULT@@' + json.dumps(m.run()))"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _finish(name: str, proc: subprocess.Popen[str]) -> dict[str, float]:
    stdout, stderr = proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"bench {name} failed:\n{stderr[-4000:]}")
    line = next(ln for ln in stdout.splitlines() if ln.startswith("@@RESULT@@"))
    result: dict[str, float] = json.loads(line.removeprefix("@@RESULT@@"))
    return result


def _run_one(name: str) -> dict[str, float]:
    return _finish(name, _start(name))


def _record(
    name: str,
    attempt: int,
    repeat: int,
    t0: float,
    figures: dict[str, float],
    runs: dict[str, list[float]],
) -> None:
    for key, value in figures.items():
        runs.setdefault(key, []).append(float(value))
    print(f"  {name} run {attempt + 1}/{repeat}: {time.monotonic() - t0:.1f}s", file=sys.stderr)


def _series(
    names: list[str], repeat: int, runs: dict[str, list[float]], failures: dict[str, str]
) -> None:
    """Each benchmark ``repeat`` times, one after another."""
    for name in names:
        for attempt in range(repeat):
            t0 = time.monotonic()
            try:
                figures = _run_one(name)
            except Exception as exc:  # one broken bench must not hide the others' figures
                failures[name] = str(exc)
                break
            _record(name, attempt, repeat, t0, figures, runs)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--only", action="append", choices=BENCHES)
    parser.add_argument("--serial", action="store_true", help="one benchmark at a time")
    args = parser.parse_args(argv)
    names = args.only or list(BENCHES)
    runs: dict[str, list[float]] = {}
    failures: dict[str, str] = {}
    started = time.monotonic()
    if args.serial or ALONGSIDE not in names or len(names) == 1:
        _series(names, args.repeat, runs, failures)
    else:
        others = [n for n in names if n != ALONGSIDE]
        for attempt in range(args.repeat):
            t0 = time.monotonic()
            proc = _start(ALONGSIDE)
            _series(others, 1, runs, failures)
            try:
                _record(ALONGSIDE, attempt, args.repeat, t0, _finish(ALONGSIDE, proc), runs)
            except Exception as exc:
                failures[ALONGSIDE] = str(exc)
    results: dict[str, Any] = {key: statistics.median(vals) for key, vals in sorted(runs.items())}
    payload = {
        "figures": results,
        "runs": {k: v for k, v in sorted(runs.items())},
        "repeat": args.repeat,
        "serial": bool(args.serial),
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
