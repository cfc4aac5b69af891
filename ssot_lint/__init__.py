"""ssot-lint: one source of truth for the symbols a codebase must have only one of."""

__version__ = "0.1.0"
