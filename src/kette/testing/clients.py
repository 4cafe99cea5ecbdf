"""Test clients."""

from django.test import Client


def logged_in(user) -> Client:
    """A test client with `user` logged in."""
    client = Client()
    client.force_login(user)
    return client
