"""TalkNet (Tao et al., ACM MM 2021): one file per block, assembled in :mod:`.model`."""
