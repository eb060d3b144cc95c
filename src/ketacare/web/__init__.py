"""The KetaCare clinic app (Django). It stores inputs and results; ``ketacare.core`` computes."""
