"""Reflective practice: private, encrypted reflections that the author may share, one at a time."""
