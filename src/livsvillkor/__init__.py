"""Livsvillkor: follow-up of municipal social sustainability goals."""

__version__ = "0.1.0"
