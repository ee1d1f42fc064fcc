"""The append-only, hash-chained audit trail (``audit_record``, ``verify_chain``)."""
