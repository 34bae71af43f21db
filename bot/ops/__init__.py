"""Running the assistant: building derived files, training the model, starting and supervising the processes."""
