"""Tables built from evaluation summaries, written as CSV, Markdown and LaTeX."""
