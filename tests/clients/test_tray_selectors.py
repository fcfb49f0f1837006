"""clients.selectors.client_list: the tray's rows without a request (the download job's entry)."""

from django.http import QueryDict
from django.utils import timezone

from clients.choices import Situation
from clients.lists import client_list
from tests import factories


def names(qs):
    return list(qs.values_list("name", flat=True))


def test_it_filters_searches_and_orders_from_a_query_string_or_a_dict(cast):
    p = cast.project
    factories.make_client(p, name="Ana Mora", situation=Situation.LATE_90_PLUS)
    factories.make_client(p, name="Beto Mora", situation=Situation.LATE_90_PLUS)
    factories.make_client(p, name="Carla Al Día", situation=Situation.UP_TO_DATE)
    query = "situacion=50&orden=-name&pagina=ultima"
    assert names(client_list(member=cast.admin, params=QueryDict(query))) == ["Beto Mora",
                                                                               "Ana Mora"]
    assert names(client_list(member=cast.admin, params=query)) == ["Beto Mora", "Ana Mora"]
    assert names(client_list(member=cast.admin, params={"situacion": [50], "q": "ana"})) == [
        "Ana Mora"
    ]
    assert names(client_list(member=cast.admin, params={})) == ["Ana Mora", "Beto Mora",
                                                                "Carla Al Día"]


def test_it_includes_the_recycle_bin_only_when_asked(cast):
    factories.make_client(cast.project, name="Viva")
    factories.make_client(cast.project, name="Borrada", deleted_at=timezone.now())
    assert names(client_list(member=cast.admin, params={})) == ["Viva"]
    assert names(client_list(member=cast.admin, params={"estado": "eliminado"})) == ["Borrada"]


def test_it_goes_through_visibility(cast):
    factories.make_client(cast.project, name="Suya", adviser=cast.restricted)
    factories.make_client(cast.project, name="Ajena", adviser=cast.adviser)
    factories.make_client(cast.other_project, name="Otro proyecto")
    assert names(client_list(member=cast.restricted, params={})) == ["Suya"]
    assert names(client_list(member=cast.admin, params={})) == ["Ajena", "Suya"]
