# layout: rules added by its issue.
