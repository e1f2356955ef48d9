# i3d: rules added by its issue.
