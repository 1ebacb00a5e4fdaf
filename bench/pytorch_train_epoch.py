#!/usr/bin/python3
"""The usual PyTorch way, for the training-time comparison of docs/benchmarks.md: the same
NS1 StateNet-GRU and 2D-CNN as src/models, trained with the same protocol step (AdamW
lr 1e-3, batch 1 whole clip, masked MSE on the PSTH) on the same 14 training clips.

    /usr/bin/python3 bench/pytorch_train_epoch.py ns1.h5 --model statenet --threads 1 --epochs 4

Prints the seconds of each training epoch; the first is a warm-up. Debian 12:
apt-get install python3-torch python3-h5py.
"""
import argparse
import time

import h5py
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--model", choices=["statenet", "cnn2d"], default="statenet")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--epochs", type=int, default=4)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)

f = h5py.File(a.data, "r")
keys = sorted(f["stimuli"].keys())
rng = np.random.default_rng(a.seed)
train = sorted(rng.permutation(len(keys))[:14])  # 14 clips, as the 70 % split of NS1
clips = []
for k in train:
    s = f["stimuli"][keys[k]]
    x = torch.from_numpy(s["cochleagram"][...]).unsqueeze(0)           # [1, F, T]
    r = s["responses"][...]                                             # [N, R, T]
    mask = torch.from_numpy((~np.isnan(r).all(axis=(1, 2))).astype(np.float32)).view(1, -1, 1)
    y = torch.from_numpy(np.nan_to_num(np.nanmean(r, axis=1)).astype(np.float32)).unsqueeze(0)
    clips.append((x, y, mask))
F_, N = clips[0][0].shape[1], clips[0][1].shape[1]


class StateNet(nn.Module):
    def __init__(self, F_, N, K=7, S=3, C=7):
        super().__init__()
        self.K, self.S, self.C, self.L = K, S, C, (F_ - K) // S + 1
        H = C * self.L
        self.lc_weight = nn.Parameter(torch.rand(C, K, self.L))
        self.lc_bias = nn.Parameter(torch.rand(C, self.L))
        self.bn = nn.BatchNorm1d(C)
        self.core = nn.GRU(H, H, batch_first=True)
        self.readout = nn.Linear(H, N)

    def forward(self, x):
        B, _, T = x.shape
        patches = x.transpose(1, 2).unfold(2, self.K, self.S)                 # [B, T, L, K]
        y = torch.einsum("btlk,okl->btol", patches, self.lc_weight) + self.lc_bias
        y = torch.sigmoid(self.bn(y.reshape(B * T, self.C, self.L))).reshape(B, T, -1)
        h, _ = self.core(y)
        return self.readout(h).transpose(1, 2)


class Cnn2d(nn.Module):
    def __init__(self, F_, N, C=10, H=90, kf=6, kt=15):
        super().__init__()
        self.kt = kt
        self.convs = nn.ModuleList([nn.Conv2d(1 if i == 0 else C, C, (kf, kt)) for i in range(3)])
        self.bns = nn.ModuleList([nn.BatchNorm2d(C) for _ in range(3)])
        self.fc = nn.Linear(C * (F_ - 3 * (kf - 1)), H)
        self.readout = nn.Linear(H, N)
        self.a = nn.Parameter(torch.empty(N).uniform_(-0.43, 1.40))
        self.b = nn.Parameter(torch.empty(N).uniform_(-1.43, 0.43))
        self.k = nn.Parameter(torch.empty(N).uniform_(-0.5, 0.5))
        self.s = nn.Parameter(torch.empty(N).uniform_(0.5, 1.5))

    def forward(self, x):
        y = x.unsqueeze(1)
        for conv, bn in zip(self.convs, self.bns):
            y = F.leaky_relu(bn(conv(F.pad(y, (self.kt - 1, 0)))), 0.1)
        B, C, Fd, T = y.shape
        y = self.readout(F.leaky_relu(self.fc(y.permute(0, 3, 1, 2).reshape(B, T, -1)), 0.1)).transpose(1, 2)
        u = lambda p: p.view(1, -1, 1)
        return F.softplus(u(self.a)) * torch.exp(-torch.exp(u(self.k) * y - u(self.s))) + F.softplus(u(self.b))


model = StateNet(F_, N) if a.model == "statenet" else Cnn2d(F_, N)
opt = torch.optim.AdamW(model.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0)
model.train()
for epoch in range(a.epochs):
    order = torch.randperm(len(clips)).tolist()
    t0 = time.perf_counter()
    for i in order:
        x, y, m = clips[i]
        opt.zero_grad()
        loss = ((model(x) * m - y) ** 2).mean()
        loss.backward()
        opt.step()
    print(f"pytorch {a.model} epoch {epoch + 1}: {time.perf_counter() - t0:.3f} s")
