"""The rasa-sdk action server: thin adapters from Rasa conversations to the services in ``bot``."""
