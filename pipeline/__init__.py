"""neecoach: how Dutch and Flemish sales reps handle the customer's "nee"."""

__version__ = "0.1.0"
