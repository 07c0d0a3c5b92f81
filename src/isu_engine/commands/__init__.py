"""Commands: the `isu` command line and what each command does."""
