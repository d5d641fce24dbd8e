"""Links and tags: write paths (`services`), read paths (`selectors`), URL normalising and tag parsing."""
