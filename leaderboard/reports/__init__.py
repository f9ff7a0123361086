"""Campaign reports for officers and the bureau: participation and results per institution, follow-up lists, item
analysis, charts, and Excel/CSV exports built in the background."""
