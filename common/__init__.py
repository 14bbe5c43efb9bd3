"""The building blocks every app shares: the actor and the refusal (actors, refusals), the admin's
bases (admin), the API's pagination, filters and error path (api), and the Excel writer (excel).

It imports no app: the apps import it, from the bottom of their one-way chain (README, "How it is
built")."""
