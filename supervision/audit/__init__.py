"""Audit: an append-only record of who did what to whom, and whether it worked."""
