# speech: rules added by its issue.
