"""Ajustes → Segmentos and Variables adicionales as files (moonflow/imports/tables.py).

The resources save through the same services as the screens (names unique
without case, keys and options checked by the same form, every change
audited); a variable's key and type never change, as on screen.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from moonflow.imports.table_widgets import ChoiceWidget, ListWidget

from .choices import VariableType
from .forms import CustomVariableForm, SegmentForm
from .models import CustomVariable, Segment
from .services.settings import custom_variable_create, custom_variable_update, segment_create

SEGMENT = "Segmento"
KEY, LABEL, TYPE, OPTIONS = "Clave", "Nombre", "Tipo", "Opciones"


def _tidy(value) -> str:
    return " ".join(str(value or "").split())


class SegmentResource(resources.ModelResource):
    name = fields.Field(attribute="name", column_name=SEGMENT, widget=widgets.CharWidget())

    class Meta:
        model = Segment
        fields = ("name",)
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = True
        skip_diff = True

    def __init__(self, *, project, actor):
        super().__init__()
        self.project, self.actor = project, actor

    def get_queryset(self):
        return Segment.objects.filter(project=self.project).order_by("name")

    def get_instance(self, instance_loader, row):
        name = _tidy(row.get(SEGMENT))
        if not name:
            raise ValidationError({SEGMENT: _("Segmento: este campo es obligatorio.")})
        return self.get_queryset().filter(name__iexact=name).first()

    def init_instance(self, row=None):
        return Segment(project=self.project)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # A segment is its name (compared without case): one that exists has nothing to change.
        return instance.pk is not None and not import_validation_errors

    def save_instance(self, instance, is_create, row, **kwargs):
        if not is_create:
            return
        form = SegmentForm({"name": instance.name})
        if not form.is_valid():
            raise ValidationError({SEGMENT: form.errors["name"]})
        segment_create(project=self.project, name=form.cleaned_data["name"], actor=self.actor)


class CustomVariableResource(resources.ModelResource):
    key = fields.Field(attribute="key", column_name=KEY, widget=widgets.CharWidget())
    label = fields.Field(attribute="label", column_name=LABEL, widget=widgets.CharWidget())
    type = fields.Field(attribute="type", column_name=TYPE,
                        widget=ChoiceWidget(VariableType.choices))
    choices = fields.Field(attribute="choices", column_name=OPTIONS, widget=ListWidget())

    class Meta:
        model = CustomVariable
        fields = ("key", "label", "type", "choices")
        import_id_fields = ("key",)
        skip_unchanged = True
        report_skipped = True
        skip_diff = True

    def __init__(self, *, project, actor):
        super().__init__()
        self.project, self.actor = project, actor

    def get_queryset(self):
        return CustomVariable.objects.filter(project=self.project).order_by("position", "id")

    def get_instance(self, instance_loader, row):
        return self.get_queryset().filter(key=str(row.get(KEY) or "").strip()).first()

    def init_instance(self, row=None):
        return CustomVariable(project=self.project)

    def import_instance(self, instance, row, **kwargs):
        stored_type = instance.type if instance.pk else None
        super().import_instance(instance, row, **kwargs)
        if stored_type is not None and instance.type != stored_type:
            raise ValidationError({TYPE: _(
                "Tipo: el de la variable «%(key)s» no se puede cambiar (sus valores ya se "
                "guardaron con ese tipo).") % {"key": instance.key}})

    def save_instance(self, instance, is_create, row, **kwargs):
        form = CustomVariableForm(
            {"label": instance.label, "key": instance.key, "type": instance.type,
             "choices": "\n".join(instance.choices or [])},
            variable=None if is_create else CustomVariable.objects.get(pk=instance.pk))
        if not form.is_valid():
            columns = {"label": LABEL, "key": KEY, "type": TYPE, "choices": OPTIONS}
            raise ValidationError({columns.get(name, name): errors
                                   for name, errors in form.errors.items()})
        data = form.cleaned_data
        if is_create:
            custom_variable_create(project=self.project, actor=self.actor, label=data["label"],
                                   key=data["key"], type=data["type"],
                                   choices=data["choices"])
        else:
            custom_variable_update(variable=CustomVariable.objects.get(pk=instance.pk),
                                   actor=self.actor, label=data["label"],
                                   choices=data["choices"])
