"""Sentiment of mention text (Indonesian, English, mixed): positive, neutral or negative."""

from tickets.sentiment.model import classify, classify_one

__all__ = ["classify", "classify_one"]
