"""Tests of warroom.ui.panels.plans."""
