"""Burnout pulse surveys: a monthly pulse and a quarterly Copenhagen Burnout Inventory, each
person's own trend, support when a score is high, and aggregates (never rows) for the reports."""
