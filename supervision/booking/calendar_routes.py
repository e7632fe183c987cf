"""Placeholder: the owning helper replaces this module."""
from .blueprint import bp  # noqa: F401
