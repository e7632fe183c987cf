"""Admin: an organisation's people, roles, invitations and settings. Never wellbeing content."""
