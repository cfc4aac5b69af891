"""Shared test utilities for the netra backend."""
