"""Tests of warroom.ui.start."""
