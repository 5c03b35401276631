"""Tests of warroom.ui.panels.health."""
