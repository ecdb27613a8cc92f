"""Importing the clinic network from CSV/XLSX: one module per kind, `registry` lists them.

Each kind is a polis.jobs.tabular_import.TabularImport: the frame reads the file, batches the
rows and reports rejected ones; the kind checks a row and saves a batch set-based.
"""
