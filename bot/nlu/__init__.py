"""Our Rasa graph components: the spaCy gazetteer and the phrase overrides (only bot/nlu and bot/channels import Rasa)."""
