"""Thin Reflex states: resolve the caller, call one service, update vars, toast errors."""
