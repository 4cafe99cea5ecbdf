"""The error an import raises when its input is rejected as a whole."""

from __future__ import annotations


class ImportRejected(Exception):
    """The input was rejected and nothing was written; `errors` are German,
    each naming the row/feature and the reason."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("\n".join(errors))
