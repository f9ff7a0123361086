"""Live rankings of people and institutions (rankings/) and the campaign's reports and exports (reports/)."""
