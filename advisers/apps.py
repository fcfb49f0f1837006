from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdvisersConfig(AppConfig):
    name = "advisers"
    verbose_name = "Usuarios"

    def ready(self):
        from moonflow.audit.registry import register_resource_types
        from moonflow.imports.tables import SettingsTable, register_table

        from .settings_tables import MemberResource, TeamResource

        register_table(SettingsTable(key="equipos", label=_("Equipos"), resource=TeamResource,
                                     back="advisers:teams", file_name="equipos.xlsx"))
        register_table(SettingsTable(key="usuarios", label=_("Usuarios"),
                                     resource=MemberResource, back="advisers:list",
                                     file_name="usuarios.xlsx"))
        register_resource_types({"member": (_("Usuario"), "tenancy.Member"),
                                 "team": (_("Equipo"), "tenancy.Team")})
