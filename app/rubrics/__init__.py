"""Rubrics authored in Markdown: the format, versioned imports, the list and upload pages."""
