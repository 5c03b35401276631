"""Tests of warroom.ui.replay."""
