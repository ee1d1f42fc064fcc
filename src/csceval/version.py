"""The version of csceval (one place; the package metadata and provenance read it)."""

__version__ = "0.1.0"
