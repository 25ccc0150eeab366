"""Limits of the counts route, shared by its view and the OpenAPI document."""

COUNTS_MAX_KEYS = 100
# Long enough for a CDN to absorb a busy front page, short enough that a new publication shows soon.
COUNTS_MAX_AGE = 60
