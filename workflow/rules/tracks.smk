# tracks: rules added by its issue.
