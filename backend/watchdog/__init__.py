"""The watchdog: no task waits for ever on a message that no longer exists.

With Redis as the broker a task's message sits in the queue until a worker takes it,
then in kombu's ``unacked`` hash until the task settles. The fault suite found two ways
to lose it, leaving a task ``pending`` or ``running`` for ever:

- kombu takes a message off the queue (``BRPOP``) and records it as unacked in a second
  step; a worker killed between the two (an OOM kill, a crash) loses the message;
- a run that ends while Redis is unreachable cannot record its outcome, and its
  message may be acknowledged anyway.

And one way to park it for the whole visibility timeout (16 minutes by default): a worker
that loses Redis stops its running tasks and cannot give their messages back.

So every ``TASKDESK_WATCHDOG_SECONDS`` the watchdog looks at every task not in a final
state and puts back on its way each one whose message is gone or parked with a dead run.
A task it queues again goes through the worker's usual start: one still marked
``running`` counts the lost run as a retry with its reason shown ("the worker running
this task stopped or was killed"), then runs again. Nothing is queued twice: a message
that exists is given back, never copied.

- :mod:`~backend.watchdog.decide`: the rules, a pure function of what a sweep saw;
- :mod:`~backend.watchdog.broker`: where kombu keeps messages, read and changed;
- :mod:`~backend.watchdog.sweep`: one sweep, from reading to doing;
- ``python -m backend.watchdog``: the process that sweeps, one per stack.
"""
