"""Tests of warroom.ui.panels.alerts."""
