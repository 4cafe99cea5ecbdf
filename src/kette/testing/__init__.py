"""Test support shared by every app: the test environment, factories and the tenant harness."""
