"""清远普法调解助手: the installable package behind the assistant (see the package map in README.md)."""
