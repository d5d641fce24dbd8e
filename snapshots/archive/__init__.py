"""The capture lifecycle of a snapshot: request, start, finish, fail, sweep; reason texts, diffs, schedules."""
