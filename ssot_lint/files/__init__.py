"""Finding and reading the project's files: discovery (git, excludes), the text search the prefilter
runs, the content-addressed cache of facts, and the reader that turns files into facts in parallel.
"""
