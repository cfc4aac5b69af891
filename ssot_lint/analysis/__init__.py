"""The project the rules read: the graph of modules, resolution of every binding to what it is at
runtime, the canonical symbols located in it, and the queries rules share.
"""
