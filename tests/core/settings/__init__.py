"""Tests of warroom.core.settings."""
