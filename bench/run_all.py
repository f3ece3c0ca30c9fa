"""Run every benchmark in turn (`make bench`); each prints its own table."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCHMARKS = ("results_engine", "assignment", "results", "import_entries", "certificates",
              "exports", "load", "uploads", "mail", "live_audience")


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"\n=== bench/{name}.py ===", flush=True)
        if subprocess.run([sys.executable, "-m", f"bench.{name}"], cwd=ROOT,
                          check=False).returncode:
            failed.append(name)
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
