"""Self-study courses written in Markdown (§2.3, §2.4.3, §2.5)."""
