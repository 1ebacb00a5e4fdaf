#!/usr/bin/env python3
"""The usual PyTorch way of advancing many StateNet-GRU streams by one frame on a GPU: the peer
of bench/gpu_step_bench.cpp's GpuGru rows, measured in the same session.

Reads a committed StateNet-GRU `.safetensors` (default: assets/ns1-statenet-gru.safetensors),
advances B independent streams one frame per step and prints stream-steps per second:
  eager: frames copied from pinned host memory, locally connected layer (unfold + einsum),
         batch norm, sigmoid, torch's GRU cell, linear readout, rates copied back (synchronous)
  graph: the same step captured once in a CUDA Graph (copies in and out included) and replayed
Each B runs for at least --seconds after a warm-up. Before timing, the eager step is checked
against an independent float64 NumPy implementation of the same equations (largest relative
difference printed, with a warning above 1e-4).

Usage: python3 bench/pytorch_gpu_step.py [--model M] [--batches 1,8,...] [--seconds 0.5] [--json OUT]
"""
import argparse
import json
import struct
import time

import numpy as np
import torch


def read_safetensors(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        blob = f.read()
    meta = header.pop("__metadata__", {})
    tensors = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name}: expected F32, found {t['dtype']}")
        a, b = t["data_offsets"]
        tensors[name] = np.frombuffer(blob[a:b], dtype="<f4").reshape(t["shape"]).copy()
    return tensors, json.loads(meta["config"])


def numpy_steps(p, cfg, frames):
    """float64 reference: frames [T, B, F] -> rates [T, B, N] (output nonlinearity: identity)."""
    K, S = cfg["lc_kernel"], cfg["lc_stride"]
    W = p["lc_weight"].astype(np.float64)  # [C, K, L]
    C, _, L = W.shape
    T, B, F = frames.shape
    H = C * L
    h = np.zeros((B, H))
    out = []
    for t in range(T):
        x = frames[t].astype(np.float64)
        patches = np.stack([x[:, l * S:l * S + K] for l in range(L)], axis=1)  # [B, L, K]
        y = np.einsum("blk,ckl->bcl", patches, W) + p["lc_bias"]
        g = p["bn.weight"][None, :, None] / np.sqrt(p["bn.running_var"][None, :, None] + 1e-5)
        y = (y - p["bn.running_mean"][None, :, None]) * g + p["bn.bias"][None, :, None]
        u = (1.0 / (1.0 + np.exp(-y))).reshape(B, H)
        gi = u @ p["core.weight_ih_l0"].T + p["core.bias_ih_l0"]
        gh = h @ p["core.weight_hh_l0"].T + p["core.bias_hh_l0"]
        r = 1.0 / (1.0 + np.exp(-(gi[:, :H] + gh[:, :H])))
        z = 1.0 / (1.0 + np.exp(-(gi[:, H:2 * H] + gh[:, H:2 * H])))
        n = np.tanh(gi[:, 2 * H:] + r * gh[:, 2 * H:])
        h = (1 - z) * n + z * h
        out.append(h @ p["readout.weight"].T + p["readout.bias"])
    return np.stack(out)


class TorchStep:
    def __init__(self, p, cfg, B, device):
        self.K, self.S = cfg["lc_kernel"], cfg["lc_stride"]
        self.p = {k: torch.from_numpy(v).to(device) for k, v in p.items()}
        C, _, L = p["lc_weight"].shape
        self.B, self.H = B, C * L
        self.h = torch.zeros(B, self.H, device=device)

    def __call__(self, x):  # x [B, F] on the device -> rates [B, N] on the device
        p = self.p
        patches = x.unfold(1, self.K, self.S)  # [B, L, K]
        y = torch.einsum("blk,okl->bol", patches, p["lc_weight"]) + p["lc_bias"]
        y = torch.batch_norm(y, p["bn.weight"], p["bn.bias"], p["bn.running_mean"], p["bn.running_var"],
                             False, 0.1, 1e-5, False)
        u = torch.sigmoid(y).reshape(self.B, self.H)
        self.h.copy_(torch.gru_cell(u, self.h, p["core.weight_ih_l0"], p["core.weight_hh_l0"],
                                    p["core.bias_ih_l0"], p["core.bias_hh_l0"]))
        return torch.nn.functional.linear(self.h, p["readout.weight"], p["readout.bias"])


def timed(step_once, seconds):
    for _ in range(20):
        step_once()
    torch.cuda.synchronize()
    n, start = 0, time.perf_counter()
    while True:
        for _ in range(10):
            step_once()
        n += 10
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", default="assets/ns1-statenet-gru.safetensors")
    ap.add_argument("--batches", default="1,8,64,512,4096,32768,65536")
    ap.add_argument("--seconds", type=float, default=0.5)
    ap.add_argument("--json")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("pytorch_gpu_step: this PyTorch sees no CUDA device")
    dev = torch.device("cuda")
    p, cfg = read_safetensors(args.model)
    if cfg.get("core") != "gru" or cfg.get("output") != "identity":
        raise SystemExit(f"{args.model}: expected a StateNet-GRU with identity output, found core "
                         f"{cfg.get('core')} output {cfg.get('output')}")
    F = cfg["num_bands"]
    rng = np.random.default_rng(3)
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False

    # Exactness of the peer: 30 steps of 5 streams against the float64 reference.
    frames = rng.uniform(-70, 40, size=(30, 5, F)).astype(np.float32)
    step = TorchStep(p, cfg, 5, dev)
    with torch.no_grad():
        got = np.stack([step(torch.from_numpy(f).to(dev)).cpu().numpy() for f in frames])
    want = numpy_steps(p, cfg, frames)
    rel = float(np.max(np.abs(got - want)) / np.max(np.abs(want)))
    print(f"peer vs float64 reference: largest difference {rel:.2e} of the largest rate", flush=True)
    if rel > 1e-4:
        print("pytorch_gpu_step: WARNING: the peer differs from the reference by more than 1e-4", flush=True)

    rows = []
    print(f"{torch.cuda.get_device_name()}, torch {torch.__version__}")
    print(f"{'B':>7} {'eager steps/s':>14} {'eager stream-steps/s':>21} {'graph steps/s':>14} {'graph stream-steps/s':>21}")
    for B in [int(b) for b in args.batches.split(",")]:
        host = torch.from_numpy(rng.uniform(-70, 40, size=(64, B, F)).astype(np.float32)).pin_memory()
        out_host = torch.empty(B, cfg["num_units"]).pin_memory()
        with torch.no_grad():
            step = TorchStep(p, cfg, B, dev)
            t = [0]

            def eager():
                x = host[t[0] % 64].to(dev, non_blocking=True)
                t[0] += 1
                out_host.copy_(step(x))  # synchronous: the rates are on the host when it returns

            eager_rate = timed(eager, args.seconds)

            staging = torch.empty(B, F).pin_memory()
            x_dev = torch.empty(B, F, device=dev)
            s = torch.cuda.Stream()
            s.wait_stream(torch.cuda.current_stream())
            with torch.cuda.stream(s):  # warm-up on a side stream before capture
                for _ in range(3):
                    x_dev.copy_(staging, non_blocking=True)
                    step(x_dev)
            torch.cuda.current_stream().wait_stream(s)
            graph = torch.cuda.CUDAGraph()
            with torch.cuda.graph(graph):
                x_dev.copy_(staging, non_blocking=True)
                out_host.copy_(step(x_dev), non_blocking=True)

            def replay():
                staging.copy_(host[t[0] % 64])
                t[0] += 1
                graph.replay()
                torch.cuda.current_stream().synchronize()

            graph_rate = timed(replay, args.seconds)
        rows.append({"B": B, "eager_steps_per_s": eager_rate, "graph_steps_per_s": graph_rate})
        print(f"{B:>7} {eager_rate:>14.0f} {eager_rate * B:>21.3e} {graph_rate:>14.0f} {graph_rate * B:>21.3e}", flush=True)
        del graph
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"device": torch.cuda.get_device_name(), "torch": torch.__version__,
                       "peer_vs_reference": rel, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
