"""The knowledge graph itself: bundled files, vocabulary, the format table, parsing, loading, the store, inference."""
