"""Netra backend: the asynchronous AI chat service."""

__version__ = "0.42.0"
