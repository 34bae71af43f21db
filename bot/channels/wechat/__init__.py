"""The WeChat official-account channel: webhook, API client, rendering, background sends and status notices."""
