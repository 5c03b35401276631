"""The live chart: data windows, axes, items and legend."""
