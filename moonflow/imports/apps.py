from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "moonflow.imports"
    label = "imports"
    verbose_name = _("Integraciones")

    def ready(self):
        from moonflow.jobs.models import JobKind
        from moonflow.jobs.waiting import register_continue_page

        register_continue_page(JobKind.SETTINGS_IMPORT, "integrations:table_preview")

        from moonflow.audit.registry import register_resource_types

        from .registry import importers

        # "<entity>_import" (moonflow.imports.engine._audit): every importer the apps register.
        register_resource_types(lambda: {f"{i.entity}_import": (
            lambda i=i: _("Importación: %(what)s") % {"what": i.label}) for i in importers()})
