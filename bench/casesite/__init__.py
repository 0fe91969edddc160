"""A Django site for the cases benchmark: the project's URLs plus a fallback queue page."""
