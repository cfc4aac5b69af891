"""Plain data models shared across the application."""
