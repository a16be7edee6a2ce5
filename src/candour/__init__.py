"""Candour: open-source oversight for NHS organisations."""

__version__ = "0.1.0"
