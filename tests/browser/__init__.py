"""Real-browser tests: Playwright driving Debian's Chromium, with axe-core checking each page."""
