"""The pieces of bench_abuse: the site as production starts it, the pages, the measures."""
