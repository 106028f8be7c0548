"""API keys for the drop-in endpoints: see service.apikeys.keys."""
