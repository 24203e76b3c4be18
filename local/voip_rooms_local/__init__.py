"""Docker-free local runner for the voip-rooms Lambda function."""
