"""Clients (and their payment orders) through the import engine (`moonflow.imports`).

- `fields`: the columns a client file may have, their names and the model report's help;
- `resolution`: the import resolution table (product brief), as one pure function;
- `clients`: the `ClientImporter` the engine runs.
"""
