"""Fixes: the edits a rule attaches to a violation (`edits`), their application to source with LibCST
(`apply`, which has each edit planned against the tree by `plan` and rewrites import statements with
`imports`), and the `check --fix` loop that applies, re-checks and writes (`loop`).
"""
