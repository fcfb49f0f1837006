"""The total above a list: exact when cheap, else the planner's estimate marked "≈".

A list never counts a million rows on a page view:

1. When one page holds every row, its rows are the total, for free.
2. EXPLAIN (planning only): far above the limit (a whole book of a million),
   or priced far above what the budget below allows (COUNT_COST_LIMIT), the
   estimate is the answer and nothing is counted.
3. Otherwise COUNT at most EXACT_COUNT_LIMIT + 1 rows within COUNT_BUDGET_MS
   (a `statement_timeout` local to a savepoint): exact when it fits; "Más de
   10.000" when the limit is reached but the planner guesses fewer; the
   estimate when out of time.

A list with a planned search (`ListSpec.search_plan`) asks its plan instead:
the plan knows whether it holds the few matches (exact count over them) or
many (the planner's estimate), without counting a large search.
"""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from moonflow.db.budget import OutOfTime, statement_budget
from moonflow.db.plans import queryset_estimate
from moonflow.numbers import format_number

EXACT_COUNT_LIMIT = 10_000
COUNT_BUDGET_MS = 15
ESTIMATE_TRUSTED_ABOVE = 50_000
# A count the planner prices above this cannot end within COUNT_BUDGET_MS (on 20 M
# interactions a restricted adviser's 7 days cost 700,000 and took over a second; counts
# that fit cost under 25,000): it is not started, the estimate is the answer.
COUNT_COST_LIMIT = 100_000


@dataclass
class Total:
    value: int
    exact: bool
    label: str


def _plan(qs) -> tuple[int, float]:
    """The planner's (rows, total cost) of the list's rows."""
    try:
        found = queryset_estimate(qs)
    except (ValueError, KeyError, IndexError, TypeError):
        return 0, 0.0
    return found.rows, found.cost


def approximate_label(estimate: int) -> str:
    """Two significant digits, as people say them: "≈ 1,2 M", "≈ 150 mil", "≈ 4.800"."""
    estimate = max(int(estimate), 1)
    rounded = int(round(estimate, -max(len(str(estimate)) - 2, 0)))
    if rounded >= 1_000_000:
        millions = rounded / 1_000_000
        if millions < 10 and millions != int(millions):
            return f"≈ {format_number(millions, 1)} M"
        return f"≈ {format_number(int(millions))} M"
    if rounded >= 10_000:
        return f"≈ {format_number(rounded // 1000)} mil"
    return f"≈ {format_number(rounded)}"


def _bounded_count(qs, limit: int) -> int | None:
    """COUNT over at most `limit` + 1 rows, or None when it would take over COUNT_BUDGET_MS."""
    subquery = qs.order_by().values("pk")[: limit + 1]
    try:
        with statement_budget(COUNT_BUDGET_MS, using=qs.db):
            return subquery.count()
    except OutOfTime:
        return None


def exact_total(number: int, *, noun_singular: str, noun_plural: str) -> Total:
    noun = noun_singular if number == 1 else noun_plural
    return Total(number, True, f"{format_number(number)} {noun}")


def count_total(qs, *, noun_singular: str, noun_plural: str) -> Total:
    limit = EXACT_COUNT_LIMIT
    estimate, cost = _plan(qs)
    if estimate > ESTIMATE_TRUSTED_ABOVE or cost > COUNT_COST_LIMIT:
        return Total(estimate, False, f"{approximate_label(estimate)} {noun_plural}")
    exact = _bounded_count(qs, limit)
    if exact is not None and exact <= limit:
        return exact_total(exact, noun_singular=noun_singular, noun_plural=noun_plural)
    if exact is not None and estimate <= limit:
        return Total(limit + 1, False, _("Más de %(number)s %(noun)s") % {
            "number": format_number(limit), "noun": noun_plural})
    return Total(estimate, False, f"{approximate_label(estimate)} {noun_plural}")


def page_total(qs, *, rows: int, whole: bool, noun_singular: str, noun_plural: str,
               plan=None, unsearched=None) -> Total:
    """The total above a list: its rows when one page holds them all; with a planned
    search, the plan's (exact when it collected the matches, else an estimate: it never
    counts a large search); else `count_total`."""
    if whole:
        return exact_total(rows, noun_singular=noun_singular, noun_plural=noun_plural)
    told = plan.total(unsearched) if plan is not None else None
    if told is not None:
        exact, estimate = told
        if exact is not None:
            return exact_total(exact, noun_singular=noun_singular, noun_plural=noun_plural)
        estimate = max(int(estimate or 0), rows + 1)  # a page and more are on screen
        return Total(estimate, False, f"{approximate_label(estimate)} {noun_plural}")
    return count_total(qs, noun_singular=noun_singular, noun_plural=noun_plural)
