"""Tests of warroom.core.language."""
