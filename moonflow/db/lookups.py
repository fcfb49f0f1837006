"""Query lookups PostgreSQL plans better than Django's defaults."""

from django.db.models import Field, Lookup


@Field.register_lookup
class InArray(Lookup):
    """`field__in_array=<subquery>` → `field = ANY(ARRAY(<subquery>))`.

    `a = X OR id IN (SELECT …)` makes PostgreSQL test every row of the table
    against a hashed subplan. With the subquery turned into an array first (an
    InitPlan, run once), the OR becomes a BitmapOr of two index scans, and the
    planner's row estimate stays close to the truth.
    """

    lookup_name = "in_array"

    def get_prep_lookup(self):
        return self.rhs

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = compiler.compile(self.rhs)
        if not rhs.startswith("("):
            rhs = f"({rhs})"
        return f"{lhs} = ANY(ARRAY{rhs})", (*lhs_params, *rhs_params)
