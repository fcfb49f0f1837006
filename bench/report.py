"""Machine facts, timing statistics and the sections of docs/benchmarks.md.

docs/benchmarks.md holds one section per benchmark between HTML comment
markers; a run rewrites only the sections of the benchmarks it ran, so
`make bench-tray` leaves the download figures of an earlier run in place.
Each section carries its own machine, command and date for that reason.
"""

import math
import os
import platform
import re
import statistics
import subprocess
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"

# The order sections appear in when the file is first written.
SECTIONS = [
    "dataset", "tray", "situation", "download", "import", "interactions", "interactions-upload",
    "portfolios", "audit", "transfer", "api", "citus",
]

HEADER = """# Benchmarks

Written by `make bench` (all) or `make bench-<name>` (one section); every
figure here comes from those runs, never from timed unit tests. Each section
is rewritten only by its own benchmark, and says on which machine, with which
command and when it was measured. Compare ratios measured in one run: the
absolute figures drift between machines and runs (the benchmark machine has
2 cores shared with other work).

How to read the ratios: **ours / Django** below 1 means Moonflow is faster than
the usual Django way; **ours / raw** is how far Moonflow is from the raw
PostgreSQL limit for the same work (1.0 would be the limit itself).
"""


# --- statistics ---------------------------------------------------------------


@dataclass
class Timing:
    samples: list[float]  # seconds

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """Nearest-rank 95th percentile."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]

    @property
    def runs(self) -> int:
        return len(self.samples)


def ms(seconds: float) -> str:
    if seconds >= 10:
        return f"{seconds * 1000:,.0f}"
    if seconds >= 0.01:
        return f"{seconds * 1000:,.1f}"
    return f"{seconds * 1000:,.2f}"


def ratio(a: float, b: float) -> str:
    if not b:
        return "—"
    value = a / b
    return f"{value:,.2f}×" if value < 100 else f"{value:,.0f}×"


def num(value: float, decimals: int = 0) -> str:
    return f"{value:,.{decimals}f}"


def table(headers: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


# --- machine facts ------------------------------------------------------------


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _ram_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return 0.0


def _git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return rev or "unknown"
    except OSError:
        return "unknown"


def machine_facts() -> dict[str, str]:
    """What the figures were measured on (needs Django set up, for the PostgreSQL facts)."""
    import django
    import psycopg
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg_version = cursor.fetchone()[0]
        settings = {}
        for name in ("shared_buffers", "work_mem", "max_wal_size", "fsync", "synchronous_commit"):
            cursor.execute(f"SHOW {name}")
            settings[name] = cursor.fetchone()[0]
    host = connection.settings_dict.get("HOST") or "local socket"
    return {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores (shared with other work)",
        "RAM": f"{_ram_gib():.1f} GiB",
        "PostgreSQL": (
            f"{pg_version} on {host.split('/')[-1] if host.startswith('/') else host}, "
            + ", ".join(f"{k}={v}" for k, v in settings.items())
        ),
        "Python / Django / psycopg": (
            f"{platform.python_version()} / {django.get_version()} / {psycopg.__version__}"
        ),
        "Load average (1/5/15 min) when the run started": load_average(),
        "Code": f"git {_git_revision()}",
    }


def load_average() -> str:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0, 0, 0)
    return " / ".join(f"{x:.2f}" for x in load)


def run_header(command: str, facts: dict[str, str]) -> str:
    lines = [
        f"- **Date**: {datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- **Command**: `{command}`",
    ]
    lines += [f"- **{key}**: {value}" for key, value in facts.items()]
    return "\n".join(lines)


def command_line() -> str:
    args = sys.argv[1:]
    if len(args) == 1 and args[0] != "all":
        return f"make bench-{args[0]}  (python -m bench {args[0]})"
    if args == ["all"]:
        return "make bench  (python -m bench all)"
    return "python -m bench " + " ".join(args)


# --- docs/benchmarks.md -------------------------------------------------------


def _marker(name: str, edge: str) -> str:
    return f"<!-- bench:{name}:{edge} -->"


def read_sections() -> dict[str, str]:
    if not DOC.exists():
        return {}
    text = DOC.read_text()
    found = {}
    for name in SECTIONS:
        match = re.search(
            re.escape(_marker(name, "start")) + r"\n(.*?)\n?" + re.escape(_marker(name, "end")),
            text,
            re.S,
        )
        if match:
            found[name] = match.group(1)
    return found


def write_section(name: str, body: str) -> Path:
    """Replace one benchmark's section, keeping every other section as it was."""
    sections = read_sections()
    sections[name] = body.strip()
    parts = [HEADER.strip()]
    for section in SECTIONS:
        if section in sections:
            parts.append(
                f"{_marker(section, 'start')}\n{sections[section]}\n{_marker(section, 'end')}"
            )
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text("\n\n".join(parts) + "\n")
    return DOC


def say(message: str = "") -> None:
    print(message, flush=True)
