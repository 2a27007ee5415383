"""Operations › Jobs: the list with Run and Refresh, a job's General and Schedule and History tabs."""
