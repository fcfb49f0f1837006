"""The list kernel: one machine for every tray of the product.

Every list (the clients tray, Órdenes de pago, the Log de procesos, and the
trays to come) has the same shape (../docs/architecture.md, "Lists"):

    base queryset that carries visibility (the entity's selector)
    → filters (a django-filter FilterSet) → search → sort
    → keyset page (keyset.py) → bounded total (totals.py)
    → columns, remembered per member (columns.py, models.py)
    → chips and filter controls (chips.py) → saved views (models.py, views.py)
    → Descargar through the Log de procesos (exports.py, tasks.py)

An entity supplies a `ListSpec` (listing.py): its base queryset, its
FilterSet, its search, its columns and how a row is drawn; `build_list` does
the rest. Parameters are cleaned once (params.py) for the screen, saved views
and downloads alike.
"""
