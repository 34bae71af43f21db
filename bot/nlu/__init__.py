"""Custom Rasa NLU components (this package and bot.channels are the only ones that import rasa)."""
