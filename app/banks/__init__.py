"""Question banks authored in Markdown (and imported from Moodle GIFT/Aiken)."""
