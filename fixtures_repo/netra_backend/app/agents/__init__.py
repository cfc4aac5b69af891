"""Agents and the machinery that runs them for each user request."""
