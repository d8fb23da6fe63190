"""Domain errors. Each subclasses the built-in a caller would expect; only the CLI turns
them into messages and exit codes."""


class CorpusError(ValueError):
    """The corpus folder is missing, empty, or holds no readable article."""


class IndexLoadError(RuntimeError):
    """The index on disk is missing, damaged, or built with other settings."""
