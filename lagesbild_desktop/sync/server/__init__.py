"""The central sync server: FastAPI routes over SQLAlchemy, schema by Alembic.

It shares only the protocol models (`lagesbild_desktop.sync.protocol`) and the domain
with the desktop app; rows are kept as JSON per table, never through the app's models.
"""
