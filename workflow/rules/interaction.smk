# interaction: rules added by its issue.
