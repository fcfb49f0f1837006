"""The REST API under /api/v1/ (docs/api.md): per-project keys, one more way into the
services, selectors and the import engine the screens use."""
