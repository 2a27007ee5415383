"""Operations: the Job Status Report, a job's chains and alerts, retention settings."""
