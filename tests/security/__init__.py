"""The security and reliability suite (issue 9)."""
