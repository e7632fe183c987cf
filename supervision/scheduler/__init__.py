"""The scheduler: one process runs every domain's jobs, guarded by a lease in the database."""
