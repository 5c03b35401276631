"""Tests of warroom.core.incident."""
