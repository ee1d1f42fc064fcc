"""csceval: evaluate a children's social care practice framework across English LAs."""

__version__ = "0.1.0"
