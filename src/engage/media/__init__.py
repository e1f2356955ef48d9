"""ffmpeg-based probing and decoding on the shared 25 fps CFR timeline."""
