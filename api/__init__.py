"""The HTTP API: JSON traversals and embeddable network maps."""
