"""`mdq-graph validate`: SHACL shapes (a set-at-a-time engine, pySHACL beyond it) and the quotes."""
