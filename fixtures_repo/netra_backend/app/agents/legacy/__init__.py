"""Pre-isolation agent runtime, kept until the last callers are migrated."""
