"""Outgoing messages to patients: SMS through a provider-neutral backend, email through Django's.

A leaf app: it imports nothing from the other KetaCare web apps, so any of them may use it.
"""
