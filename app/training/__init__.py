"""Training needs and the annual training plan (§2.1, §2.2, §2.4)."""
