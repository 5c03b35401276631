"""The feed-health panel."""
