"""Rocket.Chat-compatible ``GET /api/v1/voip/rooms`` as an AWS Lambda function."""
