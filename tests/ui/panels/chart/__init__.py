"""Tests of warroom.ui.panels.chart."""
