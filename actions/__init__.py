"""Custom actions for the myofascial-release assistant (run by `rasa run actions`)."""
