"""Anonymised quarterly wellbeing reports for employers, in three stages that never mix:

1. aggregation (aggregate*.py): SQL aggregates only, for an organisation or nationally, per quarter;
2. disclosure control (disclosure.py): a pure function from those aggregates to publishable cells;
3. rendering (render_*.py): HTML, PDF and CSV, made from stage 2's output and nothing else.

The rules are DESIGN.md's "Anonymised reports: disclosure control".
"""
