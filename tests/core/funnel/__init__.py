"""Tests of warroom.core.funnel."""
