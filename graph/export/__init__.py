"""Answers as tables for analysts, and their writers (CSV, XLSX, ...)."""
