"""The culture-survey strand's web pages: team links for evaluators, question pages for staff."""
