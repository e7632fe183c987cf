"""Multi-factor sign-in: time-based one-time codes (TOTP) and single-use recovery codes."""
