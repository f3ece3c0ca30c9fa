"""Tianjiao's domain: contests, entries, judging, results, awards and their web faces."""
