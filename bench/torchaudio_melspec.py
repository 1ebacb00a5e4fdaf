#!/usr/bin/python3
"""The usual PyTorch way, timed on the same work as bench/cochlea_bench.cpp (BM_LogMel
and the aa1 preset): torchaudio MelSpectrogram + log (or cube root), single thread.

    /usr/bin/python3 bench/torchaudio_melspec.py        # Debian: apt-get install python3-torchaudio

Two modes per configuration:
  whole     one call on 2 s of audio (offline; torchaudio's best case)
  per-frame one call per hop on a window-sized tensor (what a streaming user would do)
Prints us_per_frame and x_realtime, best of 5 repetitions.
"""
import math
import time

import numpy as np
import torch
import torchaudio

torch.set_num_threads(1)
torch.set_num_interop_threads(1)


def signal(sr, seconds=2.0):
    rng = np.random.default_rng(1)
    t = np.arange(int(seconds * sr)) / sr
    rate = (4200 - 200) / seconds
    x = (0.3 * np.sin(2 * math.pi * 440 * t) + 0.15 * np.sin(2 * math.pi * 3000 * t)
         + 0.2 * np.sin(2 * math.pi * (200 * t + 0.5 * rate * t * t)) + rng.normal(0, 0.05, t.size))
    return torch.from_numpy(x.astype(np.float32))


def best_of(fn, reps=5):
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


configs = [
    # name, sr, window, n_fft, hop, n_mels, compression
    ("LogMel/16000/400/64", 16000, 400, 512, 16, 64, "log"),
    ("LogMel/32000/512/32", 32000, 512, 512, 32, 32, "log"),
    ("LogMel/44100/441/64", 44100, 441, 512, 44, 64, "log"),
    ("LogMel/48000/1024/128", 48000, 1024, 1024, 48, 128, "log"),
    ("Preset/aa1", 32000, 320, 320, 32, 32, "cbrt"),
]
with torch.inference_mode():
    for name, sr, win, n_fft, hop, n_mels, comp in configs:
        x = signal(sr)
        mel = torchaudio.transforms.MelSpectrogram(sample_rate=sr, n_fft=n_fft, win_length=win, hop_length=hop,
                                                   n_mels=n_mels, power=2.0, center=False)
        padded = torch.nn.functional.pad(x, (n_fft - hop, 0))
        compress = (lambda s: torch.log(torch.clamp(s, min=1e-10))) if comp == "log" else (lambda s: s.pow(1 / 3))
        frames = (padded.numel() - n_fft) // hop + 1

        def whole():
            compress(mel(padded))

        # Per frame: the last n_fft samples, one call each (first 400 frames).
        n_pf = min(frames, 400)

        def per_frame():
            for t in range(n_pf):
                compress(mel(padded[t * hop: t * hop + n_fft]))

        whole()
        per_frame()
        t_whole = best_of(whole)
        t_pf = best_of(per_frame, reps=3)
        print(f"torchaudio {name:24s} whole: {1e6 * t_whole / frames:8.2f} us_per_frame "
              f"{x.numel() / sr / t_whole:8.0f} x_realtime | per-frame call: {1e6 * t_pf / n_pf:8.2f} us_per_frame "
              f"{n_pf * hop / sr / t_pf:8.0f} x_realtime")
