"""Legal education (普法): finding the answer to a question, for whom, citing what; emergencies; what is out of scope."""
