"""HTTP route handlers (framework-agnostic: each takes and returns a dict)."""
