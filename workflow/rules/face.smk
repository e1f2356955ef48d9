# face: rules added by its issue.
