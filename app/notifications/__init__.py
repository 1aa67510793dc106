"""Notifications in the app, by e-mail and in the calendar (issue 16)."""
