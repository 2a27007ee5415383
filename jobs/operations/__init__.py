"""Operations around the jobs: flows and chains, the Job Status Report, retention
(Maintenance), failure and hanging alerts, and the API tokens."""
