"""Exam results for managers and candidates: results and 未参考名单 per institution, certificates (issued, verified,
rendered as PDF)."""
