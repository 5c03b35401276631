"""The business funnel panel: each scenario's steps with the conversion of each."""
