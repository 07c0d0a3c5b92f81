"""The document formats `isu report` and `isu compare` write (no heavy imports: the command line checks them)."""

FORMATS = ("html", "pdf", "json", "xlsx")
