"""Public shares of a tag, moderation of what is shared, and the audit log of staff actions."""
