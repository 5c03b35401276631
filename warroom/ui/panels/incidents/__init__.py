"""The incidents panel: list and timeline models and dialogs."""
