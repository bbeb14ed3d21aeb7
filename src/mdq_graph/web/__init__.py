"""The web front: the SPARQL endpoint and dereferenceable IRIs (`serve`), pages, and the static site (`publish`)."""
