"""flashprep: spaced-repetition flashcards for backend interview prep."""

__version__ = "0.1.0"
