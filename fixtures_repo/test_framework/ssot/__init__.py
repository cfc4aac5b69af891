"""Sanctioned test doubles: the only mocks of SSOT classes tests may use."""
