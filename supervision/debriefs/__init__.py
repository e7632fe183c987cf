"""Debrief requests after a distressing case: asking, triage, response-time targets, escalation,
the debrief itself and follow-up check-ins."""
