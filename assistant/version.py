"""The version of archreview: one home, read by the package, the CLI, reports and the build."""

__version__ = "0.1.0"
