"""The RDF writers: deterministic Turtle/TriG, N-Triples/N-Quads, RDF/XML and JSON-LD."""
