# clips: rules added by its issue.
