"""Training: labelled data -> model directories. Never imported by `run`."""
