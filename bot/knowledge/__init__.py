"""Reading the content under ``knowledge/``: statutes, Q&A entries, topic questions, vocabularies, phrase rules."""
