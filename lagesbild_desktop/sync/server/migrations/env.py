"""Alembic environment of the server: runs on the connection the server hands over."""

from alembic import context

from lagesbild_desktop.sync.server.models import Base

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("server migrations run through lagesbild_desktop.sync.server.store")

context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
