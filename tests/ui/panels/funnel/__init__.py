"""Tests of warroom.ui.panels.funnel."""
