"""Quality of recording: case lists, pseudonyms, samples, audit instruments, scoring, analysis.

The web platform's auditing pages call these functions; nothing here imports Django.
"""
