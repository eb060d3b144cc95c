"""The published evidence in the clinic app: trial records, pooled analyses, and the clinic's own
response and remission rates beside the pooled published rates. Every number comes from
``ketacare.core.evidence`` and ``ketacare.core.outcomes``; this app only fetches and shows."""
