"""Rasa channels and the Rasa server launcher (with bot.nlu, the only code that imports rasa)."""
