"""Fixes: the edits a rule attaches to a violation (`edits`), their application to source with LibCST
(`apply`), and the `check --fix` loop that applies, re-checks and writes (`loop`).
"""
