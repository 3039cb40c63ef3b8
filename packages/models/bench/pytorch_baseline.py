"""PyTorch baseline for `npm run bench -w @tbptt/models`: one training step (forward, backward, SGD update).

Same configurations as bench/configs.ts. Prints one JSON object per line:
{"config", "median_ms", "tokens_per_s", "steps", "warmup_steps", "peak_rss_mb", "torch", "threads", "matmul_gflops"}.
Run with OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE (the bench sets them).

Every result carries "blas": which BLAS the process really runs (see blas_info); "blas.valid" is false
for a reference BLAS (Debian's libblas3, 20x slower than OpenBLAS), which makes every ratio meaningless.

usage: python3 pytorch_baseline.py CONFIG_JSON [STEPS] [WARMUP] [WARMUP_SECONDS] [MAX_WARMUP]
       python3 pytorch_baseline.py --info
"""
import json
import os
import resource
import statistics
import sys
import time

import torch
from torch import nn


class Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embedding = c["input"] == "embedding"
        if self.embedding:
            self.encoder = nn.Embedding(c["vocabSize"], c["embeddingSize"])
            rnn_in = c["embeddingSize"]
        else:
            rnn_in = c["featureSize"]
        self.rnn = nn.LSTM(rnn_in, c["hiddenSize"], c["numLayers"])
        self.decoder = nn.Linear(c["hiddenSize"], c["outputSize"])

    def forward(self, x, state):
        if self.embedding:
            x = self.encoder(x)
        out, state = self.rnn(x, state)
        return self.decoder(out), state


def blas_info():
    """The BLAS this process has loaded (after a product), from /proc/self/maps, and torch's build config.

    Debian's python3-torch links libblas.so.3, an alternative: the reference BLAS (libblas3, in
    .../blas/) unless libopenblas0-pthread (.../openblas-pthread/) is installed. torch.__config__.show()
    then says BLAS_INFO=generic either way, so the loaded library is what counts.
    """
    a = torch.randn(64, 64)
    a @ a
    libraries = set()
    try:
        with open("/proc/self/maps") as maps:
            for line in maps:
                path = line.split()[-1] if len(line.split()) >= 6 else ""
                name = os.path.basename(path)
                if any(k in name for k in ("blas", "mkl", "blis", "lapack")):
                    libraries.add(os.path.realpath(path))
    except OSError:
        pass
    joined = " ".join(sorted(libraries))
    if "openblas" in joined:
        kind = "openblas"
    elif "mkl" in joined:
        kind = "mkl"
    elif "blis" in joined:
        kind = "blis"
    elif "/blas/" in joined or "libblas" in joined:
        kind = "reference"
    else:
        kind = "unknown"
    config = torch.__config__.show()
    blas_config = next((part.strip() for part in config.replace(",", "\n").split("\n") if "BLAS_INFO" in part), "")
    return {
        "kind": kind,
        "valid": kind in ("openblas", "mkl", "blis"),
        "libraries": sorted(libraries),
        "config": blas_config,
        "openblas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
    }


def matmul_peak():
    a = torch.randn(512, 512)
    b = torch.randn(512, 512)
    for _ in range(3):
        a @ b
    times = []
    for _ in range(10):
        t0 = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - t0)
    return 2 * 512**3 / min(times) / 1e9


def main():
    if sys.argv[1] == "--info":
        torch.set_num_threads(2)
        print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "blas": blas_info()}))
        return
    c = json.loads(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 2
    # warm-up lasts at least `warmup` steps and at least `warmup_seconds`, at most `max_warmup` steps
    warmup_seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    max_warmup = int(sys.argv[5]) if len(sys.argv) > 5 else 200
    torch.manual_seed(0)
    torch.set_num_threads(2)
    T, B = c["window"], c["batch"]
    model = Model(c)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    loss_fn = nn.CrossEntropyLoss()
    if c["input"] == "embedding":
        x = torch.randint(0, c["vocabSize"], (T, B))
    else:
        x = nn.functional.one_hot(torch.randint(0, c["featureSize"], (T, B)), c["featureSize"]).float()
    y = torch.randint(0, c["outputSize"], (T * B,))
    h0 = torch.zeros(c["numLayers"], B, c["hiddenSize"])
    state = (h0, h0.clone())
    def step():
        opt.zero_grad()
        logits, _ = model(x, state)
        loss = loss_fn(logits.reshape(T * B, -1), y)
        loss.backward()
        opt.step()
        loss.item()

    warmup_steps = 0
    start = time.perf_counter()
    while warmup_steps < warmup or (time.perf_counter() - start < warmup_seconds and warmup_steps < max_warmup):
        step()
        warmup_steps += 1
    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "config": c["name"],
                "median_ms": median * 1000,
                "tokens_per_s": T * B / median,
                "steps": steps,
                "warmup_steps": warmup_steps,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "matmul_gflops": matmul_peak(),
                "blas": blas_info(),
            }
        )
    )


if __name__ == "__main__":
    main()
