"""What the clinic learns from the assistant: feedback, unanswered questions, the week at a glance.

Everything is read from the conversation store itself (Rasa's `events` table,
SQLite by default, PostgreSQL in the scale-out set-up), so retention (`make
purge`) and "forget me" (`make forget`) cover it with no copy to keep in step.
Text shown to staff is redacted like the logs.

- `store`: reads the events of every conversation (SQLAlchemy, either database).
- `extract`: pure: turns events into turns, feedback and unanswered questions.
- `clusters`: groups unanswered questions (scikit-learn).
- `report`: the figures, the plots (matplotlib) and the HTML page.
- `dashboard`: the staff page behind a login (served by web/serve.py).
"""
