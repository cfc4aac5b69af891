"""What each command does beyond the analysis: check's output formats, report, history, baseline,
init (and its --discover survey) and graph.
"""
