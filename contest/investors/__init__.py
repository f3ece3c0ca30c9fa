"""Investors at the roadshow, their leads, the deals that follow and the follow-up view."""
