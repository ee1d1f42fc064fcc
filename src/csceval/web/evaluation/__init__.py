"""The evaluation held by the web platform: its set-up, sites, reference data and analysis runs."""
