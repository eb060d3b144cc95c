"""The session at the chair: pre-dose gates, dose, vitals, ratings, adverse events, observation,
discharge, sign and lock, amendments (every clinical number from ``ketacare.core``)."""
