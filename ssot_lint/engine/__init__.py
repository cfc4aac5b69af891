"""One analysis run: build the project (with the prefilter's fixpoint), run the rules, apply
suppressions, and keep or reuse the last run's answer.
"""
