#!/usr/bin/env python3
"""Subscribe to `statenet stream --zmq ENDPOINT` (docs/zmq.md): print the description, then one
line per message: "rates FRAME END_SAMPLE LATENCY_US r_0 … r_N-1" and "spikes FRAME COUNT LATENCY_US",
the latency being this process's CLOCK_MONOTONIC at arrival minus the publisher's stamp.
Options: frames=N (stop after N frames), sleep=S (seconds per message: a slow consumer),
hwm=N (receive high-water mark), idle=S (stop after S seconds without a message), first=S (wait
up to S seconds for the first message; default idle)."""
import json, sys, time
import numpy as np
import zmq

HEADER = np.dtype([("schema_version", "<u4"), ("count", "<u4"), ("frame", "<i8"), ("end_sample", "<i8"), ("publish_ns", "<i8")])
SPIKE = np.dtype([("unit", "<i4"), ("sample", "<i8"), ("time_s", "<f8")])

def main(endpoint, frames=None, sleep_s=0.0, hwm=1000, idle_s=10.0, first_s=None):
    sub = zmq.Context().socket(zmq.SUB)
    sub.setsockopt(zmq.RCVHWM, hwm)
    sub.connect(endpoint)
    sub.setsockopt(zmq.SUBSCRIBE, b"statenet/")
    wait_s = idle_s if first_s is None else first_s
    while frames is None or frames > 0:
        if not sub.poll(int(wait_s * 1000)):
            break  # nothing for idle_s: the stream has ended
        wait_s = idle_s
        topic, *parts = sub.recv_multipart()
        if topic == b"statenet/description":
            print("description", json.loads(parts[0]), flush=True)
            continue
        h = np.frombuffer(parts[0], HEADER)[0]
        latency_us = (time.monotonic_ns() - h["publish_ns"]) / 1e3
        if topic == b"statenet/rates":
            rates = np.frombuffer(parts[1], "<f4")
            print("rates", h["frame"], h["end_sample"], f"{latency_us:.1f}", " ".join(f"{r:.6g}" for r in rates), flush=True)
            frames = None if frames is None else frames - 1
        elif topic == b"statenet/spikes":
            spikes = np.frombuffer(parts[1], SPIKE)
            print("spikes", h["frame"], len(spikes), f"{latency_us:.1f}", flush=True)
        time.sleep(sleep_s)

if __name__ == "__main__":
    args = dict(a.split("=", 1) for a in sys.argv[2:])
    main(sys.argv[1], int(args["frames"]) if "frames" in args else None, float(args.get("sleep", 0)), int(args.get("hwm", 1000)),
         float(args.get("idle", 10)), float(args["first"]) if "first" in args else None)
