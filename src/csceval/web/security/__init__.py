"""Cross-cutting security middleware: session limits, account gates, no-store (SEC-C2, C6)."""
