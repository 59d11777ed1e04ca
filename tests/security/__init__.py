"""Every attack found against the app, kept as a regression test."""
