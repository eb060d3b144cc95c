"""The clinical core: pure Python, no Django, no web layer.

Every clinical number KetaCare shows (a score, a dose, a schedule, a rule's decision, a PK curve,
a pooled estimate) is computed here from plain values. The web layer stores inputs and results.
"""
