"""The live inspector panel: raw points and frames as they arrive, protocol errors inline."""
