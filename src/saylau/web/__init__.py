"""The public website: server-rendered pages (Jinja2) in Kazakh, Russian and English."""
