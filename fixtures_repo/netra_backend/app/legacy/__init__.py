"""Leftovers from the Python 2 code base. Nothing here is imported."""
