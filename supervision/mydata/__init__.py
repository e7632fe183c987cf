"""My data: a person's own export (JSON and PDF), deletion of their account, and their sign-in history."""
