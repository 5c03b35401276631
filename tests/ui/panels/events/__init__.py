"""Tests of warroom.ui.panels.events."""
