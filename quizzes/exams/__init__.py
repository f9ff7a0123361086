"""Timed online exams: papers drawn by section rules, server-enforced deadlines, answers saved as they are given,
auto-submit at the deadline, results."""
