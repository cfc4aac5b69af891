"""What each command does beyond the analysis: check's output formats (output.py), report, history
(report --history), baseline, graph, and init, whose --discover is init_survey.py (what is read of each
module), init_search.py (finding the proposals), init_proposals.py (what they are and how they rank) and
init_toml.py (the text written).
"""
