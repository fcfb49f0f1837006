"""The forms of an import: the upload, the mapping."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from moonflow.forms import BootstrapFormMixin

from . import engine
from .mapping import IGNORED, missing_required, repeated_targets

MODES = [
    (engine.UPDATE, _("Actualizar: los clientes que no están en el archivo no se tocan")),
    (engine.UPDATE_DELETE, _("Actualizar incluyendo eliminación: los clientes del alcance que no "
                             "están en el archivo van a la papelera (14 días)")),
]


TRANSFER_MODE_LABEL = _("Modo transferencia: un cliente de otro asesor (o en su papelera) pasa "
                        "al asesor de la fila con todo lo vinculado")
TRANSFER_MODE_HELP = _("Sus gestiones abiertas, promesas de pago y contactos programados pasan "
                       "al nuevo asesor; el historial queda a nombre de quien lo hizo. Sin este "
                       "modo, la fila de un cliente de otro asesor se rechaza nombrando a ese "
                       "asesor.")


def check_transfer_fits(form) -> None:
    """Transfer mode only for an importer whose rows hold clients."""
    from .registry import get_importer

    data = form.cleaned_data
    if not data.get("transfer_mode") or not data.get("entity"):
        return
    importer = get_importer(data["entity"])
    if not importer.transfers_clients:
        form.add_error("transfer_mode", _(
            "«%(what)s» no mueve clientes: el modo transferencia es para importaciones de "
            "clientes (Clientes o Base de cartera).") % {"what": importer.label})


def check_mode_fits(form) -> None:
    """A mode with deletion only for an importer whose records can be absent from a file
    (the communications upload only adds records)."""
    from .registry import get_importer

    data = form.cleaned_data
    if data.get("mode") != engine.UPDATE_DELETE or not data.get("entity"):
        return
    importer = get_importer(data["entity"])
    if not importer.deletes_absent:
        form.add_error(None, _("«%(what)s» solo agrega registros: use el modo «Actualizar».")
                       % {"what": importer.label})


class UploadForm(BootstrapFormMixin, forms.Form):
    entity = forms.ChoiceField(label=_("Qué importa"))
    # An empty file reaches the reader, whose message names it (Django's own does not).
    file = forms.FileField(
        label=_("Archivo"), allow_empty_file=True,
        help_text=_("XLSX, XLS, ODS o CSV/TXT (separado por coma, punto y coma o tabulador)."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv,.txt"}),
    )
    mode = forms.ChoiceField(label=_("Modo"), choices=MODES, initial=engine.UPDATE,
                             widget=forms.RadioSelect)
    scope = forms.ChoiceField(label=_("Alcance"), required=False)
    transfer_mode = forms.BooleanField(label=TRANSFER_MODE_LABEL, help_text=TRANSFER_MODE_HELP,
                                       required=False)
    all_or_nothing = forms.BooleanField(
        label=_("Todo o nada: si alguna fila tiene errores, no escribir ninguna"), required=False)

    def __init__(self, *args, importers, advisers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(i.entity, i.label) for i in importers]
        self.fields["scope"].choices = [("", _("Todo el proyecto"))] + [
            (str(m.pk), f"{m.display_name} ({m.code})") for m in advisers]
        self.advisers = {str(m.pk): m for m in advisers}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.IMPORT_MAX_BYTES:
            raise forms.ValidationError(_(
                "El archivo «%(file)s» pesa %(size)s MB; el máximo es %(max)s MB. Divídalo en "
                "varios archivos.") % {"file": upload.name, "size": upload.size // 2**20,
                                        "max": settings.IMPORT_MAX_BYTES // 2**20})
        return upload

    def clean(self):
        data = super().clean()
        check_mode_fits(self)
        check_transfer_fits(self)
        return data

    def scope_adviser_id(self) -> int | None:
        member = self.advisers.get(self.cleaned_data.get("scope") or "")
        return member.pk if member else None


class MappingForm(forms.Form):
    """One select per file column; fields are named col_<index> (headers can be anything)."""

    template_name = forms.CharField(label=_("Guardar este mapeo como plantilla"), required=False,
                                    max_length=120)

    def __init__(self, *args, headers, fields, mapping, defaults=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.import_fields = fields
        choices = [(IGNORED, _("— Ignorar esta columna —"))] + [
            (f.key, f"{f.label} *" if f.required else f.label) for f in fields]
        for index, header in enumerate(headers):
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=mapping.get(header, ""),
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
        self.default_keys = []
        for spec in fields:
            if spec.required and spec.choices:
                name = f"default_{spec.key}"
                self.default_keys.append((name, spec.key))
                self.fields[name] = forms.ChoiceField(
                    label=_("%(field)s para todas las filas (si el archivo no trae la columna)")
                    % {"field": spec.label},
                    choices=[("", "—"), *spec.choices], required=False,
                    initial=(defaults or {}).get(spec.key, ""),
                    widget=forms.Select(attrs={"class": "form-select"}))
        self.fields["template_name"].widget.attrs["class"] = "form-control"

    def default_fields(self):
        return [self[name] for name, _key in self.default_keys]

    def defaults(self) -> dict:
        """field key → the value chosen for every row, for fields no column feeds."""
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        targets = set(self.mapping().values())
        return {key: data[name] for name, key in self.default_keys
                if data.get(name) and key not in targets}

    def rows(self):
        return [(header, self[f"col_{index}"]) for index, header in enumerate(self.headers)]

    def mapping(self) -> dict:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        return {header: data.get(f"col_{index}") or IGNORED
                for index, header in enumerate(self.headers)}

    def clean(self):
        data = super().clean()
        mapping = self.mapping()
        missing = missing_required(mapping, self.import_fields, self.defaults())
        if missing:
            raise forms.ValidationError(_("Falta mapear campos obligatorios: %(fields)s.") % {
                "fields": ", ".join(f.label for f in missing)} + (
                " " + _("Elija la columna que los trae, o un valor para todas las filas.")
                if any(f.choices for f in missing) else ""))
        repeated = repeated_targets(mapping)
        if repeated:
            labels = {f.key: f.label for f in self.import_fields}
            raise forms.ValidationError(_("Cada campo se alimenta de una sola columna: %(list)s.")
                                        % {"list": "; ".join(
                                            f"{labels.get(k, k)} ← {', '.join(v)}"
                                            for k, v in repeated.items())})
        return data


class SftpSourceForm(BootstrapFormMixin, forms.Form):
    """An SFTP source; its password and key are never shown again (blank keeps them)."""

    name = forms.CharField(label=_("Nombre"), max_length=120)
    entity = forms.ChoiceField(label=_("Qué importa"))
    host = forms.CharField(label=_("Servidor"), max_length=255)
    port = forms.IntegerField(label=_("Puerto"), min_value=1, max_value=65535, initial=22)
    username = forms.CharField(label=_("Usuario"), max_length=120)
    password = forms.CharField(label=_("Contraseña"), required=False, strip=False,
                               widget=forms.PasswordInput(render_value=False,
                                                          attrs={"autocomplete": "new-password"}))
    private_key = forms.CharField(label=_("Clave privada (OpenSSH)"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3,
                                                               "autocomplete": "off"}))
    folder = forms.CharField(label=_("Carpeta remota"), max_length=500, initial=".")
    pattern = forms.CharField(label=_("Patrón de nombre"), max_length=120, initial="*.csv",
                              help_text=_("Por ejemplo clientes_*.csv o *.xlsx."))
    template = forms.ChoiceField(label=_("Plantilla de mapeo"), required=False)
    mode = forms.ChoiceField(label=_("Modo"), choices=MODES, initial=engine.UPDATE)
    scope = forms.ChoiceField(label=_("Alcance"), required=False)
    transfer_mode = forms.BooleanField(label=TRANSFER_MODE_LABEL, help_text=TRANSFER_MODE_HELP,
                                       required=False)
    every_minutes = forms.IntegerField(label=_("Revisar cada (minutos)"), min_value=5,
                                       max_value=7 * 24 * 60, initial=60)
    is_active = forms.BooleanField(label=_("Activa"), required=False, initial=True)
    forget_host_key = forms.BooleanField(
        label=_("Olvidar la clave del servidor guardada (se aprende en la próxima conexión)"),
        required=False)

    def __init__(self, *args, importers, advisers, templates, has_secret=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = [(i.entity, i.label) for i in importers]
        self.fields["template"].choices = [("", _("— Reconocer las columnas por su nombre —"))] + [
            (str(t.pk), t.name) for t in templates]
        self.fields["scope"].choices = [("", _("Todo el proyecto"))] + [
            (str(m.pk), f"{m.display_name} ({m.code})") for m in advisers]
        self.has_secret = has_secret
        if not has_secret:  # a new source has no key learnt yet
            del self.fields["forget_host_key"]
        if has_secret:
            self.fields["password"].help_text = _("Guardada. Déjela vacía para conservarla.")
            self.fields["private_key"].help_text = _("Guardada. Déjela vacía para conservarla.")

    def clean(self):
        data = super().clean()
        check_mode_fits(self)
        check_transfer_fits(self)
        if not self.has_secret and not data.get("password") and not data.get("private_key"):
            raise forms.ValidationError(_("Escriba la contraseña o pegue la clave privada."))
        key = data.get("private_key", "").strip()
        if key:
            import asyncssh

            try:
                asyncssh.import_private_key(key)
            except (asyncssh.KeyImportError, ValueError):
                self.add_error("private_key", _("No es una clave privada OpenSSH válida (sin "
                                                "contraseña)."))
        return data
