"""The user's settings: configuration file, layouts, paths, durations and the wall scale."""
