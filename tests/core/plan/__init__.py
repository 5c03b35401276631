"""Tests of warroom.core.plan."""
