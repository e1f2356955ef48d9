"""Light-ASD (Liao et al., CVPR 2023): one file per block, assembled in :mod:`.model`."""
