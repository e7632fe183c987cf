"""Notifications: in-app messages and the email outbox that loses nothing and sends nothing twice."""
