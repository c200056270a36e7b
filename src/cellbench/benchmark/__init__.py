"""The cross-method benchmark (issue 16): every method variant on every dataset, with statistics."""
