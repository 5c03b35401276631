"""Tests of warroom.ui.panels.kpi."""
