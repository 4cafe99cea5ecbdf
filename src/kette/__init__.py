"""kette: open-source platform for municipal prevention chains."""

__version__ = "0.1.0"
