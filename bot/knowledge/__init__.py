"""Loading and validating the content under ``knowledge/`` (statutes, Q&A entries, next steps)."""
