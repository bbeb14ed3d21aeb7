"""The start-up floor: a bare pyoxigraph script that opens the store and runs one query, as
`mdq-graph --store DIR query` does; nothing else is imported (see bench/run.py).

    python bench/floor_startup.py STORE/oxigraph QUERY-TEXT
"""

import sys

import pyoxigraph

store = pyoxigraph.Store.read_only(sys.argv[1])
result = store.query(sys.argv[2])
sys.stdout.buffer.write(result.serialize(format=pyoxigraph.QueryResultsFormat.CSV) or b"")  # type: ignore[union-attr]
