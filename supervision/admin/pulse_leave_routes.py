"""Placeholder: admins marking survey leave for a person is being built."""
