"""TalkNet assembled: audio + visual temporal encoders, cross attention both ways,
concatenation, self attention, linear speaking head (256-d)."""

from __future__ import annotations

import torch

from engage.asd.models.base import ASDModel
from engage.asd.models.classifier import SpeakingHead
from engage.asd.models.registry import MODELS
from engage.asd.models.talknet.attention import AttentionLayer
from engage.asd.models.talknet.audio_encoder import TalkNetAudioEncoder
from engage.asd.models.talknet.visual_encoder import VisualConv1D, VisualFrontend, VisualTCN


@MODELS.register("talknet")
class TalkNet(ASDModel):
    """About 15 M parameters. ``audio_head``/``visual_head`` are the training-time auxiliary heads
    (kept so a public checkpoint loads with every tensor used; not used for scoring)."""

    name = "talknet"
    checkpoint_prefixes = {
        "model.visualFrontend.": "visual_frontend.",
        "model.visualTCN.": "visual_tcn.",
        "model.visualConv1D.": "visual_conv1d.",
        "model.audioEncoder.": "audio_encoder.",
        "model.crossA2V.": "cross_a2v.",
        "model.crossV2A.": "cross_v2a.",
        "model.selfAV.": "self_av.",
        "lossAV.FC.": "av_head.fc.",
        "lossA.FC.": "audio_head.fc.",
        "lossV.FC.": "visual_head.fc.",
    }

    def __init__(self):
        super().__init__()
        self.visual_frontend = VisualFrontend()
        self.visual_tcn = VisualTCN()
        self.visual_conv1d = VisualConv1D()
        self.audio_encoder = TalkNetAudioEncoder()
        self.cross_a2v = AttentionLayer(128)
        self.cross_v2a = AttentionLayer(128)
        self.self_av = AttentionLayer(256)
        self.av_head = SpeakingHead(256)
        self.audio_head = SpeakingHead(128)
        self.visual_head = SpeakingHead(128)

    def encode_audio(self, mfcc: torch.Tensor) -> torch.Tensor:
        return self.audio_encoder(mfcc)

    def encode_visual(self, faces: torch.Tensor) -> torch.Tensor:
        x = self.visual_frontend(faces).transpose(1, 2)  # (B, 512, T)
        return self.visual_conv1d(self.visual_tcn(x)).transpose(1, 2)  # (B, T, 128)

    def fuse_and_classify(self, audio: torch.Tensor, visual: torch.Tensor) -> torch.Tensor:
        a = self.cross_a2v(src=audio, tar=visual)
        v = self.cross_v2a(src=visual, tar=audio)
        x = self.self_av(src=torch.cat((a, v), dim=2), tar=torch.cat((a, v), dim=2))
        return self.av_head.speaking_logit(x)
