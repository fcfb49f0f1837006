import pytest

from tests import factories

from .helpers import HTMX, text, url


def test_it_lists_members_with_their_id_role_team_permission_and_state(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    for heading in ("Nombre", "Usuario / correo", "Rol", "Equipo", "ID",
                    "Asignación de asesor", "Estado", "Acciones"):
        assert f">{heading}</th>" in body
    assert "Asesor2" in body and "asesor2@example.com" in body
    assert f"<code>{cast.restricted.code}</code>" in body
    assert "Equipo Norte" in body and "Supervisor" in body
    assert 'aria-label="Permisos del usuario"' in body
    assert 'aria-label="Editar"' in body
    assert 'aria-label="Historial"' in body
    assert body.count('aria-label="Desactivar"') == 3  # not on the admin's own row


def test_it_shows_the_padlock_state_per_member(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    row = body.split("Asesor2</th>", 1)[1].split("</tr>", 1)[0]
    assert ">Sí</span>" in row
    row = body.split("Asesor1</th>", 1)[1].split("</tr>", 1)[0]
    assert ">No</span>" in row


def test_it_shows_inactive_members_with_a_reactivate_button(cast, as_member):
    cast.adviser.is_active = False
    cast.adviser.save(update_fields=["is_active"])

    body = text(as_member(cast.admin).get(url("advisers:list")))

    row = body.split("Asesor1</th>", 1)[1].split("</tr>", 1)[0]
    assert "Inactivo" in row and 'aria-label="Reactivar"' in row


def test_it_does_not_list_other_projects_members(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    assert "Outsider" not in body


def test_it_renders_only_the_table_for_the_htmx_refresh(cast, as_member):
    browser = as_member(cast.admin)

    response = browser.get(url("advisers:list"), HTTP_HX_TARGET="member-table", **HTMX)

    body = text(response)
    assert body.lstrip().startswith('<div id="member-table"')
    assert "<html" not in body


def test_it_links_the_invitation_and_the_teams_page(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    assert url("advisers:invite") in body
    assert url("advisers:teams") in body


def test_it_offers_descargar_as_a_post_to_the_export(cast, as_member):
    body = text(as_member(cast.admin).get(url("advisers:list")))

    # What the export does is tested with its own view; here: the button is there.
    export_url = url("advisers:export")
    assert export_url == "/p/demo/ajustes/usuarios/descargar/"
    form = body.split(f'<form method="post" action="{export_url}">', 1)[1].split("</form>", 1)[0]
    assert "csrfmiddlewaretoken" in form and "Descargar</button>" in form


@pytest.mark.parametrize("who", ["supervisor", "adviser", "restricted"])
def test_it_requires_admin(cast, as_member, who):
    assert as_member(getattr(cast, who)).get(url("advisers:list")).status_code == 403


def test_it_is_reached_from_the_ajustes_menu(cast, as_member):
    body = text(as_member(cast.admin).get(url("clients:list")))

    assert "Ajustes" in body
    assert url("advisers:list") in body


def test_it_keeps_the_query_count_flat(cast, as_member, django_assert_max_num_queries):
    for n in range(5):
        factories.make_member(cast.project, username=f"extra{n}")
    browser = as_member(cast.admin)

    with django_assert_max_num_queries(12):
        browser.get(url("advisers:list"))
