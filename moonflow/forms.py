"""What every form of the product shares: Bootstrap's classes on its widgets."""

from django import forms


class BootstrapFormMixin:
    """Bootstrap classes on every widget, and `is-invalid` on a field in error.

    Checkboxes are drawn by templates/partials/form_fields.html and keep no
    class. A form that adds fields after `__init__` (custom variables) calls
    `style_fields()` again; it never overrides a class set explicitly.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.style_fields()

    def style_fields(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                continue
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field, error):
        # Both field validation and a service's refusal (added by the view)
        # pass through here: mark the control so the error is seen, not only read.
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                css = widget.attrs.get("class", "")
                if "is-invalid" not in css.split():
                    widget.attrs["class"] = f"{css} is-invalid".strip()
