"""The assistant engine: deterministic streamed answers that stand in for the LLM."""
