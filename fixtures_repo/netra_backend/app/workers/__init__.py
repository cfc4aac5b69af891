"""Background and scheduled workers."""
