"""Main: home pages for each role, the language switch, and the information pages."""
