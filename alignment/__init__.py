"""IT–business alignment dashboard: data layer, analyses, charts and command line."""

__version__ = "0.1.0"
