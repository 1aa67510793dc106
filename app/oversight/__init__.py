"""The top floor: the supervision group's readers of every feature (the audit log page,
the supervision dashboard, the archives). No feature imports from here."""
