"""KetaCare: decision support and records for ketamine and esketamine treatment of depression."""

__version__ = "0.1.0"
