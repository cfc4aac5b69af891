"""Core infrastructure: configuration, logging, errors and managers."""
