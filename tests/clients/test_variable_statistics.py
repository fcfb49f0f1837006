"""A filter on a custom variable gets a true total on a large book.

The tray shows the planner's estimate above a few tens of thousands of rows;
without statistics on `extra -> key` PostgreSQL guesses 0.5 % of the rows for
any value, and the total would be wrong by orders of magnitude.
"""

import pytest
from django.db import connection

from clients.models import Client
from clients.services import custom_variable_create
from clients.variable_statistics import ensure_variable_statistics, statistics_name

from tests import factories

from .test_tray_helpers import get_tray, total_label

pytestmark = pytest.mark.django_db

BOOK = 60_000


def _load_book(project, key: str) -> None:
    """BOOK clients, half of them with `key` = "Tarjeta", copied from one made the usual way."""
    model = factories.make_client(project, name="Modelo")
    varying = {
        "document_number": "(50000000 + n)::text",
        "name": "'Cliente ' || n",
        "extra": "jsonb_build_object(%s::text, CASE WHEN n %% 2 = 0 THEN 'Tarjeta' "
                 "ELSE 'Crédito' END)",
    }
    columns = [f.column for f in Client._meta.concrete_fields if f.column != "id"
               and not getattr(f, "generated", False)]
    values = [varying.get(c, f'c."{c}"') for c in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO clients_client ({", ".join(f'"{c}"' for c in columns)})
                SELECT {", ".join(values)}
                FROM clients_client c, generate_series(1, %s) AS n WHERE c.id = %s""",
            [key, BOOK, model.pk],
        )
        cursor.execute("ANALYZE clients_client")


def test_creating_a_variable_gives_the_planner_its_statistics(cast):
    custom_variable_create(project=cast.project, actor=cast.admin.user, label="Producto",
                           key="producto", type="choice", choices=["Tarjeta", "Crédito"])

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_statistic_ext WHERE stxname = %s",
                       [statistics_name("producto")])
        assert cursor.fetchone() is not None


def test_the_total_of_a_variable_filter_on_a_large_book_is_close_to_the_truth(cast, as_member):
    custom_variable_create(project=cast.project, actor=cast.admin.user, label="Producto",
                           key="producto", type="choice", choices=["Tarjeta", "Crédito"])
    _load_book(cast.project, "producto")

    response = get_tray(as_member(cast.admin), cast.project, {"var_producto": "Tarjeta"})

    assert total_label(response) == "≈ 30 mil clientes"


@pytest.mark.parametrize("key", ['x"; DROP TABLE clients_client; --', "Mayúscula", "a%b", ""])
def test_it_puts_no_key_into_ddl_that_ajustes_would_refuse(key):
    with pytest.raises(ValueError):
        ensure_variable_statistics(key)
