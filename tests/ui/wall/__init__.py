"""Tests of warroom.ui.wall."""
