"""The web application: server-rendered pages (Jinja2 + htmx) over the same
access-checked, audited session as the API. ``casegraph serve`` mounts it beside the
API; static assets are vendored here, with their versions in their names."""
