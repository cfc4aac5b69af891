"""What each command does beyond the analysis: check's output formats (output.py); report, whose figures
are report.py (with their JSON), rendered by report_text.py (terminal, Markdown) and report_html.py (the
page, with its style, script and Chart.js in report_assets/, and the shim graph drawn by graph_svg.py);
history (report --history), baseline, graph (the shim graph, whose counts the report's tables share),
verify.py (what `ssot-lint verify` prints), and init, whose --discover is init_survey.py (what is read of each
module), init_search.py (finding the proposals), init_proposals.py (what they are and how they rank) and
init_toml.py (the text written); and the language server, `ssot-lint server`: server.py (the LSP side, on
pygls), server_analysis.py (the project, in the analysis thread), server_worker.py (that thread: debounced,
one run at a time) and server_lsp.py (violations, fixes and config errors made into LSP values); and `check`
answered by a running server: check_client.py (the client, run before the command line is loaded),
check_output.py (what check prints, either way), server_protocol.py (how the two find each other and talk),
server_check.py (the server's side) and server_snapshot.py (when its last answer still stands).
"""
