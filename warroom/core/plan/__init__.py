"""Contingency plans: the catalogue model, plan files, plan runs and impact preview."""
