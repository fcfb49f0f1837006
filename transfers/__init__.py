"""Transfers: clients passing to another adviser with everything linked to them.

- `services`: the rule (`transfer_clients`, `transfer_pairs`), once;
- `plans`: a split among several advisers (`split_plan`, `transfer_split`);
- `selectors`: who may receive clients, what a transfer would move;
- `jobs`: Cambio de gestor in the Log de procesos (`transfer_request`).
"""
