"""SPARQL: the curated queries, what a read-only endpoint allows, the result formats."""
