"""Custom Rasa NLU components and the pure modules they wrap."""
