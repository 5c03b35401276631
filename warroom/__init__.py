"""Warroom: a desktop war-room console for live service metrics, topology, alerts and plans."""

__version__ = "0.1.0"
