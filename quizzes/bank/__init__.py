"""The question bank: categories and questions, import (spreadsheets, Moodle XML, GIFT, Aiken, Kahoot) and export,
and its admin and API for district admins."""
