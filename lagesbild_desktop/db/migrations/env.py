"""Alembic environment: runs on the connection the app hands over (see db/engine.py)."""

from alembic import context

from lagesbild_desktop.db.models import Base, managed_by_models

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("migrations run through lagesbild_desktop.db.engine.open_database")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
    include_name=managed_by_models,
)
with context.begin_transaction():
    context.run_migrations()
