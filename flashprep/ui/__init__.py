"""Everything that draws on the terminal. The only package that imports rich and
questionary, and always inside functions, so importing it costs nothing."""
