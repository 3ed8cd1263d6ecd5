"""Watch mode: ``doit auto`` and ``clm watch`` rebuild what each save affects."""
