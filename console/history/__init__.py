"""Operations › Job History: every execution, filtered and paged."""
