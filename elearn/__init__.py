"""The project package: settings, URLs, ASGI entry, the one API router and error shape, and the platform kernel shared
by every app (org/: institutions, accounts and roles; realtime/: delivery of live frames; spreadsheets)."""
