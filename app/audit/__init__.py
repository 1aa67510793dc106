"""The audit log, a foundation every feature writes to: the append-only entries
(:mod:`.models`), :func:`.log.record` and the hash chain's check, the checkpoints kept
outside the database, and ``flask audit``. It imports no feature; the pages that read
the log live in :mod:`app.oversight`."""
