"""projektmodell: the project office's pipeline from project workbooks to documents."""

__version__ = "0.1.0"
