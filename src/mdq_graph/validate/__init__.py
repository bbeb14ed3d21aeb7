"""`mdq-graph validate`: SHACL shapes (a set-at-a-time engine, pySHACL beyond it) and the quotes."""

#: The forms of the report (`validate.report.RENDERERS`), named here so that the command line
#: offers them without loading the validator.
REPORT_FORMATS: tuple[str, ...] = ("text", "json", "turtle")
