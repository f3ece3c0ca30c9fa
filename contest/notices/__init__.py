"""Notices by e-mail: the outbox, mail kinds, SMTP delivery by a job (README.md)."""
