"""The replay window: its time bar and its export of reports and bundles."""
