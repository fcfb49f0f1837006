"""Fill a project with realistic demo data, from a few thousand clients to millions.

    python manage.py seed_demo                       # "Demo Cobranzas", 3,000 clients
    python manage.py seed_demo --if-empty            # only when there is no project yet
    python manage.py seed_demo --clients 1000000 --projects 20 --orders-per-client 5

Every demo user's password is "moonflow".
"""

import time

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients.situation import project_today, recompute_situations
from demo import load
from demo.portfolios import seed_portfolios
from demo.project import (
    DEFAULT_SLUG,
    DEMO_PASSWORD,
    build_project,
    further_project_spec,
    main_project_spec,
)
from moonflow.tenancy.models import Project

LABELS = {
    "clients": "clients",
    "payment_orders": "payment orders",
    "interactions": "interactions",
    "assignments": "assignments",
    "claims": "claims",
}


class Command(BaseCommand):
    help = "Create demo projects with realistic Spanish-language collections data."

    def add_arguments(self, parser):
        parser.add_argument("--project", default=DEFAULT_SLUG, metavar="SLUG",
                            help="Slug of the main project, created when missing.")
        parser.add_argument("--clients", type=int, default=3000, metavar="N",
                            help="Clients of the main project (default 3,000).")
        parser.add_argument("--projects", type=int, default=1, metavar="N",
                            help="Projects in all: N-1 smaller ones (empresa-2…) besides the main.")
        parser.add_argument("--if-empty", action="store_true",
                            help="Do nothing when any project exists already.")
        parser.add_argument("--seed", type=int, default=1, metavar="N",
                            help="Random seed: the same seed draws the same data.")
        parser.add_argument("--orders-per-client", type=float, default=2.5, metavar="X",
                            help="Average payment orders per client (default 2.5).")
        parser.add_argument("--interactions-per-client", type=float, default=3.0, metavar="X",
                            help="Average interactions per client (default 3).")
        parser.add_argument("--check-constraints", action="store_true",
                            help="Let PostgreSQL check foreign keys row by row even when the "
                                 "role could skip it (slower).")
        parser.add_argument("--keep-indexes", action="store_true",
                            help="Never drop and rebuild secondary indexes around a large load "
                                 "(they are only when the load at least doubles the tables).")

    def handle(self, *args, **options):
        if options["if_empty"] and Project.objects.exists():
            self._say("Projects exist already: nothing to seed (--if-empty).")
            return
        if options["clients"] < 0 or options["projects"] < 1:
            raise CommandError("--clients must be ≥ 0 and --projects ≥ 1.")
        if options["orders_per_client"] < 1 or options["interactions_per_client"] < 0:
            raise CommandError("--orders-per-client must be ≥ 1, --interactions-per-client ≥ 0.")

        password_hash = make_password(DEMO_PASSWORD)
        main_clients = options["clients"]
        plans = [(main_project_spec(options["project"]), main_clients)]
        further = max(500, main_clients // 50)
        plans += [(further_project_spec(n), further) for n in range(2, options["projects"] + 1)]

        started = time.monotonic()
        logins, total_rows = [], 0
        for spec, clients in plans:
            if spec.slug != options["project"] and Project.objects.filter(slug=spec.slug).exists():
                self._say(f"{spec.slug}: exists already, skipped.")
                continue
            project_logins, rows = self._seed_project(spec, clients, password_hash, options)
            logins += project_logins
            total_rows += rows

        self._say("Updating table statistics (ANALYZE)…")
        load.analyze()
        elapsed = time.monotonic() - started
        self._say(
            f"Done: {total_rows:,} rows in {elapsed:,.1f} s "
            f"({total_rows / max(elapsed, 1e-6):,.0f} rows/s)."
        )
        self._print_logins(logins)

    def _seed_project(self, spec, clients, password_hash, options):
        started = time.monotonic()
        with transaction.atomic():
            project, plan, logins, first_index = build_project(
                spec,
                password_hash=password_hash,
                seed=options["seed"],
                orders_per_client=options["orders_per_client"],
                interactions_per_client=options["interactions_per_client"],
            )
            note = f" (appending after {first_index:,} existing clients)" if first_index else ""
            self._say(f"{project.name} [{project.slug}]: {clients:,} clients{note}…")
            last = [time.monotonic()]

            def progress(stats, done):
                # Every chunk with -v 2; otherwise every 10 s and at the end.
                now = time.monotonic()
                if done < clients and self.verbosity < 2 and now - last[0] < 10:
                    return
                last[0] = now
                self._say(
                    f"  {done:,}/{clients:,} clients · {stats.rows:,} rows · "
                    f"{stats.rows / max(stats.seconds, 1e-6):,.0f} rows/s"
                )

            stats = load.load_book(
                plan, total=clients, first_index=first_index, seed=options["seed"],
                progress=progress, note=self._say,
                check_constraints=options["check_constraints"],
                keep_indexes=options["keep_indexes"],
            )
            linked = 0
            if stats.first_client_id is not None:
                # Whatever the size: a new project's rows are news to the
                # planner, which would otherwise plan the claim links and the
                # situation recompute below for an empty project (a nested
                # loop over every payment order: minutes instead of a second).
                load.analyze()
                linked = load.link_claims(
                    project_id=project.pk,
                    first_client_id=stats.first_client_id,
                    last_client_id=stats.last_client_id,
                )
            changed = recompute_situations(project=project)
            # Through the services, once the situations are known (the team portfolio takes
            # late clients): their audit history is the real one.
            seeded = seed_portfolios(project, spec, project_today(project))
        counts = ", ".join(f"{stats.counts[key]:,} {label}" for key, label in LABELS.items())
        elapsed = time.monotonic() - started
        self._say(
            f"  {counts}; {linked:,} claim links; {seeded.portfolios} portfolios with "
            f"{seeded.contacts:,} contacts; situations recomputed ({changed:,} changed) in "
            f"{elapsed:,.1f} s."
        )
        return logins, stats.rows + linked + seeded.contacts

    def _print_logins(self, logins):
        if not logins:
            return
        self._say(f"Logins (password “{DEMO_PASSWORD}” for the users created now):")
        width = max(len(login.username) for login in logins)
        for login in logins:
            flags = [login.role]
            if login.restricted:
                flags.append("Asignación de asesor")
            if not login.created:
                flags.append("existing user, password unchanged")
            self._say(f"  {login.username:<{width}}  {login.project:<16} {' · '.join(flags)}")

    def _say(self, message, verbosity=1):
        if self.verbosity >= verbosity:
            self.stdout.write(message)
            self.stdout.flush()

    def execute(self, *args, **options):
        self.verbosity = options.get("verbosity", 1)
        return super().execute(*args, **options)
