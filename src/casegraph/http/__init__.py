"""What the two HTTP interfaces share, below both: the request's workspace and id, the
session cookie's name, the sign-in throttle, and errors as problem details or pages.
``api/`` and ``web/`` import this, never each other; ``casegraph.server`` mounts both."""
