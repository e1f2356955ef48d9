# asd: rules added by its issue.
