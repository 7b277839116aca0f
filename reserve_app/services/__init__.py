"""Use cases: take a Session and plain values, apply domain rules, write models."""
