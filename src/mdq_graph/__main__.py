"""`python -m mdq_graph` runs the CLI."""

from mdq_graph.cli import main

main()
