"""casegraph: investigative case management with an accountable audit trail."""

__version__ = "0.1.0"
