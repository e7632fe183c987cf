"""Retention: how long each kind of record is kept, and the scheduled purge of what has expired."""
