"""Artifact files: listing and deleting them, signed URLs, and serving them with sandbox headers."""
