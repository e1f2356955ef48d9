"""i3d stage: CMOSE-compatible I3D clip embeddings (Inception-I3D 1024-d; pytorchvideo i3d_r50 2048-d).

Entry point: :func:`engage.i3d.stage.extract_i3d_session`. Modules: ``same_padding``, ``unit3d``,
``inception_module``, ``inception_i3d`` (the network), ``r50`` + ``pytorchvideo_compat``
(the alternative), ``registry``/``models`` (config names), ``checkpoint`` (weights),
``preprocess`` (decode, resize, crop, windows), ``batching`` (decode threads + batched
inference), ``device`` (device/AMP), ``download`` (explicit checkpoint download). Nothing is
imported here so ``import engage.i3d`` stays cheap.
"""
