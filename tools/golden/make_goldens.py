#!/usr/bin/python3
"""Golden files for the cochlea tests, from an independent implementation: torchaudio.

Regenerate (Debian 12: apt-get install python3-torchaudio; run with Debian's python3):
    /usr/bin/python3 tools/golden/make_goldens.py tests/data/golden

Writes little-endian float32 arrays (*.f32) and manifest.json describing each one
(shape, parameters, generator). Nothing here is random except the test input, which
is seeded and stored too, so the C++ test feeds exactly the same samples.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import torchaudio

out_dir = sys.argv[1] if len(sys.argv) > 1 else "tests/data/golden"
os.makedirs(out_dir, exist_ok=True)
manifest = {"generator": "tools/golden/make_goldens.py", "torchaudio": torchaudio.__version__,
            "torch": torch.__version__, "entries": []}


def save(name, array, **params):
    array = np.ascontiguousarray(array, dtype="<f4")
    array.tofile(os.path.join(out_dir, name + ".f32"))
    manifest["entries"].append({"name": name, "shape": list(array.shape), **params})


# 1. Mel filterbank matrices, torchaudio layout transposed to ours: [n_mels, n_freqs].
fbank_cases = [
    # sr, n_fft, n_mels, f_min, f_max, norm, mel_scale
    (16000, 512, 64, 0.0, 8000.0, None, "htk"),
    (16000, 512, 32, 100.0, 0.47 * 16000, "slaney", "slaney"),
    (32000, 320, 32, 0.0, 16000.0, None, "htk"),
    (48000, 1024, 128, 500.0, 16000.0, "slaney", "htk"),
    (96000, 2048, 54, 100.0, 0.47 * 96000, None, "slaney"),
    (44100, 2048, 18, 0.0, 22050.0, "slaney", "slaney"),
]
for sr, n_fft, n_mels, f_min, f_max, norm, scale in fbank_cases:
    fb = torchaudio.functional.melscale_fbanks(n_fft // 2 + 1, f_min, f_max, n_mels, sr, norm=norm,
                                               mel_scale=scale)
    name = f"melfb_sr{sr}_nfft{n_fft}_mels{n_mels}_{scale}_{norm or 'none'}_fmin{int(f_min)}"
    save(name, fb.numpy().T, kind="mel_filterbank", sample_rate_hz=sr, n_fft=n_fft, n_mels=n_mels,
         f_min_hz=f_min, f_max_hz=f_max, norm=norm or "none", mel_scale=scale)

# 2. The aa1 preset: torchaudio MelSpectrogram with causal framing (center=False on the
#    input left-padded with n_fft - hop zeros), then a cube root.
sr, n_fft, hop, n_mels = 32000, 320, 32, 32
rng = np.random.default_rng(1)
t = np.arange(int(0.25 * sr)) / sr
dur = t[-1] + 1 / sr
chirp_rate = (4200 - 200) / dur
signal = (0.3 * np.sin(2 * math.pi * 440 * t) + 0.15 * np.sin(2 * math.pi * 3000 * t)
          + 0.2 * np.sin(2 * math.pi * (200 * t + 0.5 * chirp_rate * t * t))
          + rng.normal(0, 0.05, t.size)).astype(np.float32)
save("aa1_input", signal, kind="signal", sample_rate_hz=sr)
mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, win_length=n_fft, hop_length=hop,
                                           f_min=0.0, f_max=16000.0, n_mels=n_mels, power=2.0,
                                           center=False, norm=None, mel_scale="htk")
padded = torch.nn.functional.pad(torch.from_numpy(signal), (n_fft - hop, 0))
spec = mel(padded)  # [n_mels, T]
save("aa1_melspec_power", spec.numpy(), kind="melspectrogram", sample_rate_hz=sr, n_fft=n_fft, hop=hop,
     n_mels=n_mels, note="power mel spectrogram before compression; frame t ends at sample (t+1)*hop")
save("aa1_cochleagram", torch.pow(spec, 1.0 / 3.0).numpy(), kind="cochleagram", preset="aa1")

with open(os.path.join(out_dir, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
print(f"wrote {len(manifest['entries'])} golden arrays to {out_dir}")
