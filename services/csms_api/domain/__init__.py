"""api domain: pure rules (API keys and scopes, list cursors); no I/O."""
