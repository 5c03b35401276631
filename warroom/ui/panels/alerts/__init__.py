"""The alerts panel: the grouped model, cards, dialogs and silences."""
