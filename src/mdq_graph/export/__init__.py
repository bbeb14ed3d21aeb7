"""`mdq-graph export`: the data and its description, from files or a store, in any format."""
