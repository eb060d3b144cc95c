"""Shared test configuration.

Core tests (tests/core) touch no database. Web tests (tests/web) run on a real database: SQLite by
default, PostgreSQL when DATABASE_URL points at one (CI runs them on both).
"""
