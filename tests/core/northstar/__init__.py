"""Tests of warroom.core.northstar."""
