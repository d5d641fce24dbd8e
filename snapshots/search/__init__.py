"""Search documents, queries and excerpts, and the cached list facts a write must refresh."""
