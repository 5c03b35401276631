"""Tests of warroom.core.graph."""
