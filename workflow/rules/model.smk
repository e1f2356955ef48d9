# model: rules added by its issue.
