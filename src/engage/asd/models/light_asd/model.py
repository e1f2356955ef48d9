"""Light-ASD assembled: audio encoder + visual encoder -> sum -> BGRU -> linear speaking head."""

from __future__ import annotations

import torch

from engage.asd.models.base import ASDModel
from engage.asd.models.classifier import SpeakingHead
from engage.asd.models.light_asd.audio_encoder import LightAudioEncoder
from engage.asd.models.light_asd.fusion import SumGRUFusion
from engage.asd.models.light_asd.visual_encoder import LightVisualEncoder
from engage.asd.models.registry import MODELS


@MODELS.register("light_asd")
class LightASD(ASDModel):
    """About 1 M parameters. ``visual_head`` is the visual-only auxiliary head used in training
    (kept so the public checkpoint loads with every tensor used; not used for scoring)."""

    name = "light_asd"
    #: frames of context each side that make chunked encoding equal to one pass (receptive field:
    #: visual 3 blocks x +-2 frames = 6; audio about 4 frames); see engage.asd.scoring
    encoder_context = 8
    checkpoint_prefixes = {
        "model.visualEncoder.": "visual_encoder.",
        "model.audioEncoder.": "audio_encoder.",
        "model.GRU.": "fusion.gru.",
        "lossAV.FC.": "av_head.fc.",
        "lossV.FC.": "visual_head.fc.",
    }

    def __init__(self):
        super().__init__()
        self.audio_encoder = LightAudioEncoder()
        self.visual_encoder = LightVisualEncoder()
        self.fusion = SumGRUFusion(128)
        self.av_head = SpeakingHead(128)
        self.visual_head = SpeakingHead(128)

    def prepare_for_inference(self) -> "LightASD":
        self.eval()
        self.visual_encoder.fold_batchnorm()
        return self

    def encode_audio(self, mfcc: torch.Tensor) -> torch.Tensor:
        return self.audio_encoder(mfcc)

    def encode_visual(self, faces: torch.Tensor) -> torch.Tensor:
        return self.visual_encoder(faces)

    def fuse_and_classify(self, audio: torch.Tensor, visual: torch.Tensor) -> torch.Tensor:
        return self.av_head.speaking_logit(self.fusion(audio, visual))
