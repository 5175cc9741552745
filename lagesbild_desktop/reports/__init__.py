"""Printable documents (PDF) built from the services' results. Qt-free: ReportLab only."""
