"""Complaints and suggestions about training and assessment (§4.2)."""
