"""Study modules (Wagtail pages): courses of lessons on the laws, statutes imported from their official texts, reading
progress tracked from the server's clock, and module badges."""
