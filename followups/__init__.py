"""Gestiones: an adviser's collections work on a client (tasks, payment promises, scheduled
contacts) and the client's notes.

- `models`, `choices`: one table of gestiones (by kind) and the notes;
- `services`: create, complete, reschedule, cancel; add a note (audited);
- `selectors`: a client's gestiones and notes, an adviser's day ("Mis gestiones").
"""
