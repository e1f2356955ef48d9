"""Engagement model: dataset assembly, the CMOSE network, MocoRank and baseline losses, training.

Module map (one job each): ``labels`` (levels and thresholds), ``features`` (per-clip feature
assembly from a session's Parquet files), ``split`` (person-level split), ``dataset`` (dataset stage),
``cmose_import`` (public CMOSE release), ``tcn`` / ``network`` (the paper's model), ``mocorank``
(pool, momentum encoder, multi-margin loss), ``losses`` (Table 2 baselines), ``training`` (loop),
``metrics``, ``plots`` and ``stages`` (the functions the Snakemake scripts call).
Importing this package imports nothing heavy.
"""
