"""Tests of warroom.ui.panels.scenarios."""
