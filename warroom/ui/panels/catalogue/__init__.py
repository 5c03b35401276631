"""The series catalogue panel."""
