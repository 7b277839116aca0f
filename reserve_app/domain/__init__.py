"""Pure business rules. Imports nothing from reflex, sqlmodel, sqlalchemy or stripe."""
