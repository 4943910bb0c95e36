"""Stores of inputs and results other than the data folder (:mod:`backend.filestore`)."""
