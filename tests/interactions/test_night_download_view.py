"""Descargar on the interactions tray: the dialog that schedules tonight's download."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from interactions.download_models import NightDownload, NightDownloadStatus
from moonflow.jobs.models import ProcessJob

URL = "/p/demo/interacciones/descargar/"


def bogota(y, m, d, hh, mm=0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=UTC) + timedelta(hours=5)


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    monkeypatch.setattr(timezone, "now", lambda: bogota(2026, 12, 1, 10))


def post(browser, *, desde="2026-11-01", hasta="2026-12-01", formato="xlsx",
         query="canal=sms&orden=-scheduled_at", htmx=False, **extra):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return browser.post(URL, {"desde": desde, "hasta": hasta, "formato": formato,
                              "query": query, **extra}, **headers)


def test_the_url_is_the_trays(cast):
    assert reverse("interactions:night_download", kwargs={"project": "demo"}) == URL


def test_the_tray_shows_descargar_that_opens_the_dialog(cast, as_member):
    page = as_member(cast.adviser).get("/p/demo/interacciones/?canal=sms").content.decode()
    assert f'hx-get="{URL}?' in page and "canal=sms" in page


def test_it_opens_with_the_trays_dates_and_xlsx(cast, as_member):
    response = as_member(cast.adviser).get(
        URL + "?canal=sms&envio_desde=01/11/2026&envio_hasta=15/11/2026")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-11-01"' in text and 'value="2026-11-15"' in text
    assert 'value="xlsx" checked' in text and 'value="csv" checked' not in text
    assert "hasta 45 días" in text
    assert "el 02/12/2026 a las 02:00 (hora de America/Bogota)" in text
    assert "Programar descarga" in text


def test_it_shows_the_trays_filters_and_columns(cast, as_member):
    text = as_member(cast.adviser).get(URL + "?canal=sms&estado=failed").content.decode()
    assert "Canal: SMS" in text and "Estado: Fallida" in text
    assert "Fecha de envío" in text  # a column, not a chip: the range is the dialog's
    assert "Sin filtros" in as_member(cast.adviser).get(URL).content.decode()


def test_it_opens_with_the_last_seven_days_by_default(cast, as_member):
    text = as_member(cast.adviser).get(URL).content.decode()
    assert 'value="2026-11-25"' in text and 'value="2026-12-01"' in text


def test_confirming_schedules_it_for_tonight(cast, as_member):
    browser = as_member(cast.adviser)
    response = post(browser)
    assert response.status_code == 302
    assert response.url == "/p/demo/interacciones/?canal=sms&orden=-scheduled_at"
    request = NightDownload.objects.get()
    assert request.member == cast.adviser and request.project == cast.project
    assert (request.date_from, request.date_to, request.format) == (
        date(2026, 11, 1), date(2026, 12, 1), "xlsx")
    assert request.params == {"canal": ["sms"], "orden": ["-scheduled_at"]}
    assert "scheduled_at" in request.columns
    assert request.status == NightDownloadStatus.PENDING
    assert not ProcessJob.objects.exists()  # nothing runs now
    page = browser.get(response.url).content.decode()
    assert ("Descarga programada para esta noche: estará lista el 02/12/2026 a las 02:00 "
            "(hora de America/Bogota) en el Log de procesos, y te avisaremos por correo.") in page


def test_confirming_in_the_modal_closes_it(cast, as_member):
    response = post(as_member(cast.adviser), htmx=True, formato="csv")
    assert response.status_code == 204
    assert "closeModal" in response.headers["HX-Trigger"]
    assert NightDownload.objects.get().format == "csv"


def test_it_refuses_46_days_with_the_message(cast, as_member):
    response = post(as_member(cast.adviser), desde="2026-10-17", hasta="2026-12-01")
    assert response.status_code == 400
    assert "El rango de fechas puede ser de hasta 45 días." in response.content.decode()
    assert not NightDownload.objects.exists()


def test_it_accepts_45_days(cast, as_member):
    assert post(as_member(cast.adviser), desde="2026-10-18", hasta="2026-12-01").status_code == 302


def test_it_requires_the_range(cast, as_member):
    response = post(as_member(cast.adviser), desde="", hasta="")
    text = response.content.decode()
    assert response.status_code == 400
    assert "Elige la fecha inicial del rango." in text and "Elige la fecha final del rango." in text


def test_a_second_request_is_refused_with_the_time_and_offers_reemplazar(cast, as_member):
    browser = as_member(cast.adviser)
    post(browser)
    response = post(browser, formato="csv", desde="2026-11-20")
    text = response.content.decode()
    assert response.status_code == 409
    assert "estará lista el 02/12/2026 a las 02:00 (hora de America/Bogota)" in text
    assert 'name="reemplazar"' in text and "Reemplazar" in text
    assert NightDownload.objects.get().format == "xlsx"

    # Opening the dialog again says so as well.
    assert 'name="reemplazar"' in browser.get(URL).content.decode()

    response = post(browser, formato="csv", desde="2026-11-20", reemplazar="1")
    assert response.status_code == 302
    request = NightDownload.objects.get()
    assert (request.format, request.date_from) == ("csv", date(2026, 11, 20))


def test_a_request_taken_tonight_is_refused_until_tomorrow(cast, as_member):
    browser = as_member(cast.adviser)
    post(browser)
    NightDownload.objects.update(status=NightDownloadStatus.CLAIMED)
    response = post(browser, reemplazar="1")
    text = response.content.decode()
    assert response.status_code == 409
    assert "Ya se procesó tu descarga de hoy. Podrás pedir otra mañana." in text
    assert 'name="reemplazar"' not in text and "Programar descarga" not in text


def test_it_checks_ownership(cast, as_member):
    # A member of another project: the project's pages do not exist for them.
    assert as_member(cast.outsider).get(URL).status_code == 404
    assert post(as_member(cast.outsider)).status_code == 404
    assert not NightDownload.objects.exists()


def test_it_requires_login(cast, client):
    response = client.get(URL)
    assert response.status_code == 302 and "/cuenta/ingresar/" in response.url
