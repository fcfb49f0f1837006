"""The planner's estimate of a statement's rows and cost (EXPLAIN only: nothing is read).

On plain PostgreSQL the top node of the plan says it. On Citus the coordinator's top
node is the distributed scan, which estimates nothing (0 rows); the estimate is in the
plan each task's node made (`Distributed Query` → `Job` → `Tasks` → `Remote Plan`),
from that shard's statistics. A project's statement is one task; a statement over every
shard shows one of its tasks by default, taken as typical of all.
"""

import json
import re
from dataclasses import dataclass

from django.db import connection


@dataclass(frozen=True)
class Estimate:
    rows: int
    cost: float


def estimate(sql: str, params=()) -> Estimate:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    return read_estimate(json.loads(plan) if isinstance(plan, str) else plan)


def queryset_estimate(queryset) -> Estimate:
    """The estimate of a queryset's rows, in no order (the order costs nothing to count)."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    return estimate(sql, params)


def read_estimate(plan) -> Estimate:
    top = plan[0]["Plan"]
    job = top.get("Distributed Query", {}).get("Job")
    if not job:
        return Estimate(int(top["Plan Rows"]), float(top["Total Cost"]))
    tasks = [task["Remote Plan"][0][0]["Plan"] for task in job.get("Tasks", [])]
    if not tasks:
        return Estimate(int(top["Plan Rows"]), float(top["Total Cost"]))
    rows = sum(int(task["Plan Rows"]) for task in tasks)
    cost = sum(float(task["Total Cost"]) for task in tasks)
    shown = re.match(r"One of (\d+)", str(job.get("Tasks Shown", "")))
    scale = int(shown.group(1)) if shown else 1
    return Estimate(rows * scale, cost * scale)
