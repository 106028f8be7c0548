"""Delivery of outbound events to publishers' callback URLs."""
