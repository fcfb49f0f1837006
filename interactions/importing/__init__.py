"""Crear comunicaciones masivas: the interactions' importer for the import engine
(registered in InteractionsConfig.ready)."""

from .cleaning import natural_key

__all__ = ["natural_key"]
