"""What a run produces for people: tables, the Excel workbook, the output files, the audit copy, maps."""
