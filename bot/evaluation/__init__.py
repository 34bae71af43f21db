"""Measuring the assistant on question sets through the running bot: running, scoring, reporting."""
