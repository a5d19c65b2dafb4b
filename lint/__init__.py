"""clinic-lint: a compliance linter for health-marketing copy."""

__version__ = "0.1.0"
