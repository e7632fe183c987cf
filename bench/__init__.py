"""Benchmarks, run by `make bench`. Never part of `make test`: timing belongs here."""
