"""Tests of the myofascial-release assistant."""
