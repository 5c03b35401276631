"""Tests of warroom.ui.panels.map."""
