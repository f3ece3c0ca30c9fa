"""Background jobs: long or retried work run by workers (README.md)."""
