"""python -m bench {tray,situation,download,import,interactions,portfolios,audit,transfer,api,citus,all} …

Runs on the `moonflow_bench` database of the DATABASE_URL server (built once,
see bench/dataset.py; `import` builds its own projects there instead, see bench/imports.py)
and rewrites the benchmark's section of
docs/benchmarks.md. `citus` measures the same server against a Citus cluster it starts
(bench/citus.py). `make bench` / `make bench-<name>` call this through
`moonflow.localstack exec`, which starts PostgreSQL and Redis when no URL is set.
"""

import argparse
import os
import sys
import warnings

BENCHMARKS = [
    "tray", "situation", "download", "import", "interactions", "portfolios", "audit", "transfer",
    "api", "citus",
]
# Not run by `all`: `citus` builds a second 1M-client dataset (on the cluster) and imports a
# 1M-row file twice more; it runs alone, `make bench-citus`.
NOT_IN_ALL = {"citus"}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=[*BENCHMARKS, "all"], help="which benchmark to run")
    parser.add_argument(
        "--rebuild", action="store_true", help="drop and rebuild the 1M-client dataset first"
    )
    parser.add_argument(
        "--runs", type=int, default=30, help="timed runs per measurement (default 30, at least 5)"
    )
    parser.add_argument(
        "--clients", type=int, default=1_000_000,
        help="clients of the big project (default 1,000,000; smaller only for a smoke run)",
    )
    parser.add_argument(
        "--rows", type=int, default=1_000_000,
        help="import and citus: rows of the big file (default 1,000,000; the small one is a "
        "tenth); api: rows of each bulk pass (default 1,000,000); smaller only for a smoke run",
    )
    parser.add_argument(
        "--parts", default="tray,download,upload,partitions",
        help="interactions: which parts to run (default all: tray,download,upload,partitions)",
    )
    args = parser.parse_args(argv)
    if args.runs < 5:
        parser.error("--runs must be at least 5")
    if args.rows < 1_000:
        parser.error("--rows must be at least 1,000")
    return args


def main(argv: list[str]) -> int:
    args = parse(argv)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    # WhiteNoise warns that collectstatic never ran; pages are measured without static files.
    warnings.filterwarnings("ignore", message="No directory at")
    import django

    django.setup()

    import importlib

    from . import api, citus, dataset, imports, interactions
    from .report import say

    # name → module under bench/ (imported only when its benchmark runs)
    modules = {"tray": "tray", "situation": "situation", "download": "download",
               "portfolios": "portfolios", "audit": "audit", "transfer": "transfers"}
    names = [n for n in BENCHMARKS if n not in NOT_IN_ALL] if args.name == "all" else [args.name]
    # The import benchmark builds its own projects: the 1M-client dataset is built only for
    # the others.
    data = None
    if any(name != "import" for name in names):
        data = dataset.ensure(rebuild=args.rebuild, clients=args.clients)
    for name in names:
        say(f"\n=== bench {name} ===")
        if name == "import":
            path = imports.run(runs=args.runs, rows=args.rows)
        elif name == "citus":
            path = citus.run(data, runs=args.runs, rows=args.rows, clients=args.clients,
                             rebuild=args.rebuild)
        elif name == "api":
            path = api.run(data, runs=args.runs, rows=args.rows)
        elif name == "interactions":
            path = interactions.run(data, runs=args.runs, rows=args.rows,
                                    parts=tuple(args.parts.split(",")))
        else:
            module = importlib.import_module(f"bench.{modules[name]}")
            path = module.run(data, runs=args.runs)
        say(f"→ {path.relative_to(path.parent.parent)} (section «{name}») updated")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
