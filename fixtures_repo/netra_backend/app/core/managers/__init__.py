"""Long-lived managers (connections, sessions, engine factories)."""
