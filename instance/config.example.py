# Copy to instance/config.py and edit. Every setting is described in README.md.
# SECRET_KEY = "a long random string"  # python -c 'import secrets; print(secrets.token_hex(32))'
# The secret behind the pseudonymous keys on survey answers: set it once and never change it.
# PULSE_RESPONDENT_KEY = "another long random string"
# SQLALCHEMY_DATABASE_URI = "postgresql+psycopg://cwtch@localhost/cwtch"
# MAIL_SERVER = "smtp.example.org"
# MAIL_PORT = 587
# MAIL_USE_STARTTLS = True
# MAIL_USERNAME = "cwtch"
# MAIL_PASSWORD = "..."
# MAIL_FROM = "Cwtch <cwtch@example.org>"
# SERVER_NAME_FOR_EMAIL = "https://cwtch.example.org"
# Encryption keys: a key file (one Fernet key per line, current first; `flask --app supervision
# rotate-keys` makes and rotates it), or a list you manage yourself. Set one, not both.
# ENCRYPTION_KEYS_FILE = "/etc/cwtch/encryption_keys"
# ENCRYPTION_KEYS = ["current-fernet-key", "older-fernet-key"]
# RATELIMIT_REFLECTION_PDFS = "30 per hour"
