"""Row generators: a project's book as tuples ready for COPY, chunk by chunk.

One client is drawn at a time with all that hangs from it (payment orders,
interactions, claims, assignment history), so the
client's stored situation, balance and oldest overdue date are known when its
row is written: `recompute_situations` afterwards confirms them instead of
rewriting a million rows. Choices are picked with `seq[int(random() * len)]`
over pre-expanded weighted tuples, which is several times faster than
`random.choices` per value.
"""

import json
import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from clients.choices import Situation

from . import names
from .documents import document_number

# Column lists of the COPY statements, in the order of the generated tuples.
# `clients_paymentorder.total` is a generated column and is never written.
CLIENT_COLUMNS = (
    "id", "project_id", "document_type", "document_number", "name", "email", "phone", "city",
    "segment_id", "status", "portfolio_type", "adviser_id", "supervisor_id", "claim_category",
    "contactability", "contact_alert", "extra", "situation", "balance", "oldest_overdue_on",
    "deleted_at", "deleted_by_id", "deletion_reason", "created_at", "updated_at",
)
PAYMENT_ORDER_COLUMNS = (
    "project_id", "client_id", "number", "kind", "amount", "interest", "discounts", "payments",
    "currency", "issued_on", "due_date", "status", "paid_at", "annulled_at", "created_at",
    "updated_at",
)
INTERACTION_COLUMNS = (
    "project_id", "client_id", "direction", "channel", "campaign", "template", "recipients",
    "status", "scheduled_at", "sent_at", "adviser_id", "error_message", "source", "created_at",
    "campaign_kind", "recipient_kind", "outcome", "promise_amount", "promise_date",
)
ASSIGNMENT_COLUMNS = ("project_id", "client_id", "adviser_id", "started_at", "ended_at", "source")
CLAIM_COLUMNS = (
    "project_id", "client_id", "category", "status", "description", "opened_at",
    "opened_by_id", "closed_at",
)

CUSTOM_VARIABLES = (
    # key, label, type, choices
    ("producto", "Producto", "choice", list(names.ALL_PRODUCTS)),
    ("score", "Score", "number", []),
    ("fecha_castigo", "Fecha de castigo", "date", []),
    ("sucursal", "Sucursal", "text", []),
)

# Payment histories: (profile, weight). Late profiles carry the age range in
# days of the oldest unpaid overdue order.
PROFILES = (
    ("none", 4),  # no payment orders at all: Finalizado
    ("finished", 14),  # everything paid
    ("current", 30),  # pending, nothing overdue yet
    ("late_30", 14),
    ("late_60", 10),
    ("late_90", 7),
    ("late_more", 21),
)
LATE_AGES = {"late_30": (1, 30), "late_60": (31, 60), "late_90": (61, 90), "late_more": (91, 720)}
KIND_BY_SEGMENT = {
    "Consumo": "installment",
    "Hipotecario": "installment",
    "Microcrédito": "installment",
    "PYME": "invoice",
    "Tarjeta de crédito": "invoice",
}
KIND_PREFIX = {"installment": "CUO", "invoice": "FAC", "payment_plan": "PP", "receipt": "BOL"}
CLAIM_CATEGORIES = ("contractual", "billing", "payment", "product")

_UTC = timezone.utc
_DAY = timedelta(days=1)


def expand(weighted) -> tuple:
    """(value, weight) pairs -> a tuple where each value appears `weight` times."""
    return tuple(value for value, weight in weighted for _ in range(weight))


@dataclass
class AdviserSlot:
    member_id: int
    user_id: int
    supervisor_id: int | None  # the member supervising the adviser's team
    weight: float


@dataclass
class Plan:
    """Everything the generators need to know about one project, as plain ids."""

    project_id: int
    currency: str
    country: str  # key of names.COUNTRIES: the book's document mix
    today: date
    now: datetime
    segment_ids: dict  # name -> id
    advisers: list  # AdviserSlot
    unassigned_weight: float
    admin_user_id: int
    salt: int  # shifts document numbers per project
    utc_offset: timedelta = timedelta(0)  # of the project's timezone, for office hours
    orders_per_client: float = 2.5
    interactions_per_client: float = 3.0


@dataclass
class Chunk:
    clients: list = field(default_factory=list)
    payment_orders: list = field(default_factory=list)
    interactions: list = field(default_factory=list)
    assignments: list = field(default_factory=list)
    claims: list = field(default_factory=list)

    def row_count(self) -> int:
        return (
            len(self.clients) + len(self.payment_orders) + len(self.interactions)
            + len(self.assignments) + len(self.claims)
        )


class BookGenerator:
    """Draws clients for one project; `chunk(start, ids)` is called in index order."""

    def __init__(self, plan: Plan, *, seed: int, first_index: int, total: int):
        self.plan = plan
        self.rng = random.Random(f"{seed}:{plan.project_id}:{first_index}")
        self.total = total
        country = names.COUNTRIES[plan.country]
        self.doc_types = expand(country.documents)
        self.profiles = expand(PROFILES)
        self.segments = expand(
            (("Consumo", 35), ("Tarjeta de crédito", 25), ("Microcrédito", 15),
             ("Hipotecario", 10), ("PYME", 15))
        )
        # Adviser draw: a list of slots (None = unassigned) weighted per mille.
        slots = [(slot, max(1, round(slot.weight * 1000))) for slot in plan.advisers]
        if plan.unassigned_weight > 0:
            slots.append((None, max(1, round(plan.unassigned_weight * 1000))))
        self.adviser_draw = expand(slots)
        self.channels = expand(names.CHANNEL_WEIGHTS)
        self.statuses = {ch: expand(w) for ch, w in names.STATUS_WEIGHTS.items()}
        self.contactability = expand(
            (("contactable", 78), ("problems", 14), ("not_contactable", 8))
        )
        self.scale = country.scale
        self.rounding = country.rounding
        # Pre-escaped JSON fragments of the custom variables.
        self.products_json = {
            seg: tuple(json.dumps(p, ensure_ascii=False) for p in products)
            for seg, products in names.PRODUCTS.items()
        }
        self.country_data = {code: names.COUNTRIES[code] for code in names.COUNTRIES}
        self.first_ascii = {
            n: names.ascii_fold(n).split()[0]
            for n in names.FEMALE_FIRST_NAMES + names.MALE_FIRST_NAMES
        }
        self.surname_ascii = {n: names.ascii_fold(n).replace(" ", "") for n in names.SURNAMES}
        most_orders = int(2 * max(plan.orders_per_client, 1) / 0.96) + 3
        self.month = [timedelta(days=30 * j) for j in range(max(64, most_orders))]
        self.midnight = {}  # date -> aware datetime at 00:00 UTC (cache)
        self.deleted_reasons = names.DELETION_REASONS

    # Helpers ---------------------------------------------------------------

    def _at(self, day: date, seconds: float) -> datetime:
        """`seconds` after midnight of `day` in the project's timezone (as UTC)."""
        base = self.midnight.get(day)
        if base is None:
            base = datetime.combine(day, time(), tzinfo=_UTC) - self.plan.utc_offset
            self.midnight[day] = base
        return base + timedelta(seconds=seconds)

    def _round(self, amount_cop: float) -> int:
        """An amount in COP -> the project's currency, rounded to its usual unit."""
        unit = self.rounding
        return max(unit, int(amount_cop * self.scale) // unit * unit)

    def _units(self, value: float) -> int:
        """An amount already in the project's currency, rounded to its unit."""
        unit = self.rounding
        return int(value) // unit * unit

    # The chunk -------------------------------------------------------------

    def chunk(self, start: int, ids: list) -> Chunk:
        plan = self.plan
        rng = self.rng
        rnd = rng.random
        out = Chunk()
        add_client = out.clients.append
        add_order = out.payment_orders.append
        add_interaction = out.interactions.append
        add_assignment = out.assignments.append
        add_claim = out.claims.append

        project_id = plan.project_id
        currency = plan.currency
        today = plan.today
        now = plan.now
        month = self.month
        doc_types, n_doc = self.doc_types, len(self.doc_types)
        profiles, n_prof = self.profiles, len(self.profiles)
        segments, n_seg = self.segments, len(self.segments)
        advisers, n_adv = self.adviser_draw, len(self.adviser_draw)
        channels, n_ch = self.channels, len(self.channels)
        contactability, n_cont = self.contactability, len(self.contactability)
        female, male, surnames = (
            names.FEMALE_FIRST_NAMES, names.MALE_FIRST_NAMES, names.SURNAMES
        )
        n_f, n_m, n_s = len(female), len(male), len(surnames)
        first_ascii, surname_ascii = self.first_ascii, self.surname_ascii
        domains, n_dom = names.EMAIL_DOMAINS, len(names.EMAIL_DOMAINS)
        segment_ids = plan.segment_ids
        # 1 + int(U * span) orders averages (span + 1) / 2 per client that has orders;
        # the share of clients without any is made up for.
        with_orders = 1 - dict(PROFILES)["none"] / sum(w for _, w in PROFILES)
        order_span = max(1.0, 2 * (plan.orders_per_client / with_orders - 1) + 1)
        interaction_span = max(1, int(round(2 * plan.interactions_per_client + 1)))
        salt = plan.salt
        at = self._at
        rounded = self._round
        units = self._units
        # Messages go out on office hours (08:00-20:00, project time) of the last 90 days.
        past_days = [today - timedelta(days=d) for d in range(91)]
        next_days = [today + timedelta(days=d) for d in range(1, 7)]
        office, office_span = 8 * 3600, 12 * 3600

        for offset, client_id in enumerate(ids):
            index = start + offset

            # Who: document, name, country ---------------------------------
            doc_type = doc_types[int(rnd() * n_doc)]
            home = names.DOCUMENT_COUNTRIES[doc_type]
            country = self.country_data[home[int(rnd() * len(home))]]
            is_company = doc_type == "NIT" or (doc_type == "CUIT" and rnd() < 0.3)
            if is_company:
                surname = surnames[int(rnd() * n_s)]
                prefixes = names.COMPANY_PREFIXES
                suffixes = names.COMPANY_SUFFIXES[country.code]
                name = (
                    f"{prefixes[int(rnd() * len(prefixes))]} {surname} "
                    f"{suffixes[int(rnd() * len(suffixes))]}"
                )
                kind = "J"
                local = surname_ascii[surname]
                email = f"cartera@{local}{index % 97}.com" if rnd() < 0.9 else ""
                segment = "PYME" if rnd() < 0.85 else "Consumo"
            else:
                if rnd() < 0.5:
                    first = female[int(rnd() * n_f)]
                    kind = "F"
                else:
                    first = male[int(rnd() * n_m)]
                    kind = "M"
                last1 = surnames[int(rnd() * n_s)]
                if country.code == "AR" and rnd() < 0.7:
                    name = f"{first} {last1}"
                else:
                    name = f"{first} {last1} {surnames[int(rnd() * n_s)]}"
                r = rnd()
                if r < 0.1:
                    email = ""
                else:
                    number = int(rnd() * 1000) if r < 0.6 else ""
                    email = (
                        f"{first_ascii[first]}.{surname_ascii[last1]}{number}"
                        f"@{domains[int(rnd() * n_dom)]}"
                    )
                segment = segments[int(rnd() * n_seg)]
                if segment == "PYME":
                    segment = "Consumo"
            document = document_number(doc_type, index, salt=salt, kind=kind)
            city = country.cities[int(rnd() * len(country.cities))]
            phone = _phone(country.code, rnd) if rnd() < 0.97 else ""

            # History: created, payment profile --------------------------------
            created_at = now - timedelta(days=30 + rnd() * 700, seconds=rnd() * 86400)
            profile = profiles[int(rnd() * n_prof)]
            slot = advisers[int(rnd() * n_adv)]

            # Payment orders ---------------------------------------------------
            orders = 0 if profile == "none" else 1 + int(rnd() * order_span)
            kind_of_orders = KIND_BY_SEGMENT[segment]
            r = rnd()
            if r < 0.08:
                kind_of_orders = "receipt"
            elif profile.startswith("late") and r < 0.22:
                kind_of_orders = "payment_plan"
            low, high = names.AMOUNT_RANGES_COP[segment]
            base_amount = low + (high - low) * rnd() * rnd()  # skewed towards small debts
            if profile == "finished":
                paid = orders
                anchor = today - timedelta(days=5 + int(rnd() * 400)) - month[orders - 1]
            elif profile == "current":
                paid = int(rnd() * orders)
                anchor = today + timedelta(days=int(rnd() * 30))
                anchor -= month[paid]
            elif profile != "none":
                age_low, age_high = LATE_AGES[profile]
                paid = int(rnd() * orders)
                anchor = today - timedelta(days=age_low + int(rnd() * (age_high - age_low + 1)))
                anchor -= month[paid]
            n_pending = 0
            balance = 0
            oldest_overdue = None
            prefix = KIND_PREFIX[kind_of_orders]
            updated_at = now - timedelta(seconds=rnd() * 86400 * 20)
            for j in range(orders):
                due = anchor + month[j]
                amount = base_amount if kind_of_orders == "installment" else (
                    base_amount * (0.7 + 0.6 * rnd())
                )
                amount = rounded(amount)
                interest = discounts = payments = 0
                paid_at = annulled_at = None
                issued = due - month[1]
                if issued > today:
                    issued = today
                if kind_of_orders == "payment_plan" and rnd() < 0.3:
                    discounts = units(amount * 0.1)
                r = rnd()
                if r < 0.04:
                    status = "annulled"
                    annulled_at = at(min(due, today), 36000 + rnd() * 28800)
                elif j < paid:
                    status = "paid"
                    pay_day = due + timedelta(days=int(rnd() * 25) - 10)
                    if pay_day > today:
                        pay_day = today
                    if pay_day > due:
                        interest = units(amount * 0.02)
                    payments = amount + interest - discounts
                    paid_at = at(pay_day, 28800 + rnd() * 43200)
                    if paid_at > now:
                        paid_at = now
                else:
                    status = "pending"
                    n_pending += 1
                    late_days = (today - due).days
                    if late_days > 0:
                        interest = amount * (min(late_days, 720) // 30 + 1) // 50
                        if oldest_overdue is None or due < oldest_overdue:
                            oldest_overdue = due
                    if r > 0.88:
                        payments = units(amount * (0.1 + 0.5 * rnd()))
                    balance += amount + interest - discounts - payments
                created = at(issued, 21600 + rnd() * 7200)
                if created > now:
                    created = now
                add_order((
                    project_id, client_id, f"{prefix}-{index:07d}-{j + 1:02d}", kind_of_orders,
                    amount, interest, discounts, payments, currency, issued, due, status,
                    paid_at, annulled_at, created, updated_at,
                ))

            # Claims: a few open ones on clients that still owe -----------------
            claim_category = "none"
            if n_pending and rnd() < 0.035:
                first_category = CLAIM_CATEGORIES[int(rnd() * 4)]
                claim_category = first_category
                opened = now - timedelta(days=1 + rnd() * 40)
                add_claim(_claim(project_id, client_id, first_category, "open", opened,
                                 slot, plan.admin_user_id, rnd))
                if rnd() < 0.2:
                    second = CLAIM_CATEGORIES[(CLAIM_CATEGORIES.index(first_category)
                                               + 1 + int(rnd() * 3)) % 4]
                    add_claim(_claim(project_id, client_id, second, "open",
                                     opened + timedelta(days=rnd()), slot,
                                     plan.admin_user_id, rnd))
            if orders and rnd() < 0.02:
                opened = now - timedelta(days=60 + rnd() * 200)
                add_claim(_claim(project_id, client_id, CLAIM_CATEGORIES[int(rnd() * 4)],
                                 "closed", opened, slot, plan.admin_user_id, rnd,
                                 closed=opened + timedelta(days=3 + rnd() * 20)))

            # Situation, exactly as clients.situation computes it ---------------
            if claim_category != "none":
                situation = Situation.CLAIM
            elif n_pending == 0:
                situation = Situation.FINISHED
            elif oldest_overdue is None:
                situation = Situation.UP_TO_DATE
            else:
                late = (today - oldest_overdue).days
                situation = (
                    Situation.LATE_1_30 if late <= 30
                    else Situation.LATE_31_60 if late <= 60
                    else Situation.LATE_61_90 if late <= 90
                    else Situation.LATE_90_PLUS
                )
            state = _state(n_pending, oldest_overdue, today)

            # Client row ---------------------------------------------------------
            status = "inactive" if rnd() < (0.25 if state == "finished" else 0.02) else "active"
            portfolio_type = "current"
            products = self.products_json[segment]
            score = (
                300 + int(rnd() * 650) if state in ("finished", "current")
                else 150 + int(rnd() * 500)
            )
            extra = (
                f'{{"producto": {products[int(rnd() * len(products))]}, "score": {score}, '
                f'"sucursal": "{city} {names.BRANCH_AREAS[int(rnd() * 5)]}"'
            )
            if oldest_overdue is not None and (today - oldest_overdue).days > 180 and rnd() < 0.6:
                portfolio_type = "written_off"
                written_off = oldest_overdue + timedelta(days=180)
                extra += f', "fecha_castigo": "{written_off.isoformat()}"'
            extra += "}"
            contact = contactability[int(rnd() * n_cont)]
            alert = _alert(contact, email, rnd)
            deleted_at = deleted_by = None
            reason = ""
            if rnd() < 0.003:
                deleted_at = now - timedelta(days=rnd() * 12)
                deleted_by = plan.admin_user_id
                reason = self.deleted_reasons[int(rnd() * len(self.deleted_reasons))]
            add_client((
                client_id, project_id, doc_type, document, name, email, phone, city,
                segment_ids[segment], status, portfolio_type,
                slot.member_id if slot else None, slot.supervisor_id if slot else None,
                claim_category, contact, alert, extra, int(situation), balance, oldest_overdue,
                deleted_at, deleted_by, reason, created_at,
                updated_at if updated_at > created_at else created_at,
            ))

            # Assignment history: one open row per assigned client ---------------
            if slot is not None:
                started = created_at
                if rnd() < 0.1:
                    previous = advisers[int(rnd() * n_adv)]
                    if previous is not None and previous is not slot:
                        started = created_at + (now - created_at) * rnd()
                        add_assignment((project_id, client_id, previous.member_id, created_at,
                                        started, "system"))
                add_assignment((project_id, client_id, slot.member_id, started, None, "system"))

            # Interactions over the last 90 days ----------------------------------
            campaigns = names.CAMPAIGNS_BY_STATE[state]
            for _ in range(int(rnd() * interaction_span)):
                adviser_id = slot.member_id if slot and rnd() < 0.3 else None
                if rnd() < 0.12:
                    channel = ("whatsapp", "whatsapp", "email", "voice")[int(rnd() * 4)]
                    if channel == "email" and not email:
                        channel = "whatsapp"
                    sent = at(past_days[int(rnd() * 90)], office + rnd() * office_span)
                    if sent > now:
                        sent = now
                    status = "answered" if channel == "voice" or rnd() < 0.5 else "read"
                    # A client who answers sometimes promises a payment or says it is made
                    # (drawn from the ids, not from rnd: the rest of the book stays as it was).
                    draw = (client_id * 2654435761 + sent.toordinal()) % 100
                    outcome, promised, promise_day = "", None, None
                    if status == "answered" and draw < 18:
                        outcome = "promise"
                        promised = rounded(_promise_share(draw) * 1_000_000)
                        promise_day = sent.date() + timedelta(days=3 + draw % 12)
                    elif status == "answered" and draw < 25:
                        outcome = "to_verify"
                    add_interaction((
                        project_id, client_id, "inbound", channel, names.INBOUND_CAMPAIGN, "",
                        email if channel == "email" else phone, status,
                        sent, sent, slot.member_id if slot else None, "",
                        "platform", sent, "", "client", outcome, promised, promise_day,
                    ))
                    continue
                channel = channels[int(rnd() * n_ch)]
                if channel == "email" and not email:
                    channel = "sms"
                if channel == "voice":
                    adviser_id = slot.member_id if slot else None
                campaign = campaigns[int(rnd() * len(campaigns))]
                templates = names.CAMPAIGN_TEMPLATES[campaign]
                recipients = email if channel == "email" else phone
                error = ""
                if rnd() < 0.04:
                    status = "scheduled"
                    scheduled = at(next_days[int(rnd() * 6)], office + rnd() * office_span)
                    sent = None
                    created = now - timedelta(seconds=rnd() * 86400)
                else:
                    statuses = self.statuses[channel]
                    status = statuses[int(rnd() * len(statuses))]
                    scheduled = at(past_days[int(rnd() * 90)], office + rnd() * office_span)
                    if scheduled > now:
                        scheduled = now - timedelta(seconds=rnd() * 3600)
                    sent = scheduled + timedelta(seconds=1 + rnd() * 90)
                    if sent > now:
                        sent = now
                    created = scheduled
                    if status in ("failed", "bounced"):
                        errors = names.ERROR_MESSAGES[channel]
                        error = errors[int(rnd() * len(errors))]
                # Most messages go to the client; some to a reference or a guarantor.
                draw = (client_id * 40503 + scheduled.toordinal()) % 100
                recipient_kind = "client" if draw < 90 else (
                    "reference" if draw < 97 else "guarantor")
                add_interaction((
                    project_id, client_id, "outbound", channel, campaign,
                    templates[int(rnd() * len(templates))], recipients, status, scheduled, sent,
                    adviser_id, error, "uploaded" if rnd() < 0.08 else "platform", created,
                    names.CAMPAIGN_KINDS[campaign], recipient_kind, "", None, None,
                ))
        return out


def _promise_share(draw: int) -> float:
    """A promised amount between 0.05 and 0.6 of a million, from a 0–99 draw."""
    return 0.05 + 0.55 * (draw % 18) / 17


def _state(n_pending: int, oldest_overdue, today: date) -> str:
    if n_pending == 0:
        return "finished"
    if oldest_overdue is None:
        return "current"
    late = (today - oldest_overdue).days
    if late <= 30:
        return "late_30"
    if late <= 60:
        return "late_60"
    if late <= 90:
        return "late_90"
    return "late_more"


def _alert(contactability: str, email: str, rnd) -> str:
    r = rnd()
    if contactability == "contactable":
        return "restricted_hours" if r < 0.08 else "none"
    if contactability == "problems":
        return "bounced_email" if email and r < 0.5 else "invalid_phone"
    return "do_not_contact" if r < 0.6 else "invalid_phone"


def _claim(project_id, client_id, category, status, opened, slot, admin_user_id, rnd, *,
           closed=None):
    descriptions = names.CLAIM_DESCRIPTIONS[category]
    opened_by = slot.user_id if slot and rnd() < 0.7 else admin_user_id
    return (
        project_id, client_id, category, status,
        descriptions[int(rnd() * len(descriptions))], opened, opened_by, closed,
    )


def _phone(country: str, rnd) -> str:
    """A mobile number in its stored form (clients.validation.clean_phone):
    "+573094617291", read on screen as "+57 309 461 7291" (clients.display)."""
    if country == "CO":
        return f"+573{int(rnd() * 25):02d}{100 + int(rnd() * 900)}{1000 + int(rnd() * 9000)}"
    if country == "PE":
        return f"+519{10 + int(rnd() * 90)}{100 + int(rnd() * 900)}{100 + int(rnd() * 900)}"
    if country == "CL":
        return f"+569{1000 + int(rnd() * 9000)}{1000 + int(rnd() * 9000)}"
    return f"+54911{1000 + int(rnd() * 9000)}{1000 + int(rnd() * 9000)}"
