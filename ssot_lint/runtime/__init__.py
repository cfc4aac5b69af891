"""What the project binds when it runs, for `ssot-lint verify` (engine/verify.py runs it): the static
claims about the tracked names (claims.py), the probe that answers them in the project's own interpreter
(probe.py, standard library only) and the session that drives it with a time limit (session.py), and the
verdicts the runtime rules read (verdicts.py)."""
