"""Lägesbild Desktop: an offline-first tool for the shared situational picture."""

__version__ = "0.1.0"
