"""Text people read: safe text from outside, the display language, and names instead of ids."""
