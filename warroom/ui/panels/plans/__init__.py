"""The contingency-plans panel: list, detail, actions, progress, dialogs and texts."""
