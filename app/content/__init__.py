"""Course and question content: rendering user-written Markdown safely."""
