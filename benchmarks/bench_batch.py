"""Benchmark `archreview batch`: 200 generated intakes, offline, md+json, --jobs 1 vs --jobs 2.

The intakes are the examples with their load scaled (every figure derived from them changes,
so no two reviews are alike). Each run is a fresh `archreview batch --force` subprocess; the
figures are wall time, files per second, the speed-up of --jobs 2 over --jobs 1, and the peak
resident memory of the largest process (`ru_maxrss` of the run's `os.wait4`: getrusage of
the batch and the workers it reaped, the largest one, not their sum; with --jobs 2 the total
is about the parent plus two workers). The issue's target: 200 files on 2 cores in <= 60 s, peak RSS
<= 1.5 GB.

    python benchmarks/bench_batch.py [--files 200] [--jobs 1 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("ecommerce-workshop", "saas-growth", "trading-platform", "elearning-global",
           "caching-endpoints")


def generate(folder: Path, count: int) -> list[Path]:
    """Write `count` intakes: the examples in turn, each with its load scaled a little."""
    bases = [yaml.safe_load((ROOT / "examples" / f"{name}.yaml").read_text(encoding="utf-8"))
             for name in SOURCES]
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(count):
        data = json.loads(json.dumps(bases[index % len(bases)]))
        factor = 1 + (index // len(bases)) * 0.01
        data["name"] = f"{data['name']} #{index}"
        current = data["current"]
        for key in ("active_users", "concurrent_users"):
            if key in current:
                current[key] = max(1, int(current[key] * factor))
        path = folder / f"intake-{index:03d}.yaml"
        path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")
        paths.append(path)
    return paths


def run_batch(inputs: Path, out: Path, jobs: int) -> dict[str, float]:
    """One batch in a fresh process; wall time and the largest process's peak RSS."""
    command = [sys.executable, "-m", "assistant", "batch", str(inputs), "--out", str(out),
               "--jobs", str(jobs), "--format", "md,json", "--provider", "offline", "--force"]
    started = time.perf_counter()
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=log)
        # wait4: this run's rusage alone (the child and the workers it reaped), where
        # RUSAGE_CHILDREN would carry the previous run's peak into this one
        _pid, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            log.seek(0)
            sys.exit(f"batch failed ({process.returncode}):\n{log.read()[-2000:].decode()}")
    return {"seconds": seconds, "peak_rss_mib": usage.ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--keep", type=Path, help="write inputs and reports here and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="archreview-bench-batch-"))
    # A cache of its own: the knowledge-base index is built here once, outside the timing, and
    # no other process on the machine rebuilds it under the running batch.
    os.environ["ARCHREVIEW_CACHE_DIR"] = str(work / "cache")
    try:
        inputs = work / "inputs"
        generate(inputs, args.files)
        subprocess.run([sys.executable, "-m", "assistant", "kb", "build"], cwd=ROOT,
                       capture_output=True, check=False)
        print(f"{args.files} generated intakes, offline, md+json, {os.cpu_count()} core(s), "
              f"load average {os.getloadavg()[0]:.1f}")
        timings: dict[int, dict[str, float]] = {}
        for jobs in args.jobs:
            figures = run_batch(inputs, work / f"out-jobs{jobs}", jobs)
            timings[jobs] = figures
            print(f"--jobs {jobs}: {figures['seconds']:.1f} s, "
                  f"{args.files / figures['seconds']:.2f} files/s, largest process peak RSS "
                  f"{figures['peak_rss_mib']:.0f} MiB", flush=True)
        if 1 in timings and 2 in timings:
            print(f"speed-up of --jobs 2 over --jobs 1: "
                  f"{timings[1]['seconds'] / timings[2]['seconds']:.2f}x")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
