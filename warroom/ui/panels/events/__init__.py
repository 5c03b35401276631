"""The events column."""
