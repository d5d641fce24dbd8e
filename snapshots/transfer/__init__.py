"""Moving links in and out: bookmark-file import jobs and exports."""
