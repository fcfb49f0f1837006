"""The import engine's generic layers, shared by every import (clients, payment orders,
communications, the API).

`moonflow.imports.reading` turns an uploaded file into rows of text keyed by its
header; `moonflow.imports.values` parses the dates and numbers in those texts.
Nothing here knows any entity's fields: the apps plug their own rules on top.
"""
