"""Bundled STAR rubrics (data files); load them with ``staranalyzer.load_rubric``."""
