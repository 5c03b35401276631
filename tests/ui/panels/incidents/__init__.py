"""Tests of warroom.ui.panels.incidents."""
