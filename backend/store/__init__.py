"""The durable task store: a projection of the event stream into SQL.

Redis holds the live truth (:mod:`backend.live`); the :mod:`recorder
<backend.store.recorder>` applies the event stream here in batched transactions, together
with the id of the last event applied, so a snapshot read here is consistent with the
feed that follows it.
"""

from backend.store.database import make_engine
from backend.store.repository import TaskPage, TaskQuery, TaskRepository

__all__ = ["TaskPage", "TaskQuery", "TaskRepository", "make_engine"]
