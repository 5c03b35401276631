"""Tests of warroom.core.alerting."""
