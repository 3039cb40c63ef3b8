"""PyTorch baseline for `npm run bench -w @tbptt/models`: one training step (forward, backward, SGD update).

Same configurations as bench/configs.ts. Prints one JSON object per line:
{"config", "median_ms", "tokens_per_s", "steps", "peak_rss_mb", "torch", "threads", "matmul_gflops"}.
Run with OPENBLAS_NUM_THREADS=2 OMP_WAIT_POLICY=PASSIVE (the bench sets them).

usage: python3 pytorch_baseline.py CONFIG_JSON [STEPS] [WARMUP]
"""
import json
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
    c = json.loads(sys.argv[1])
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    warmup = int(sys.argv[3]) if len(sys.argv) > 3 else 2
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
    times = []
    for i in range(warmup + steps):
        t0 = time.perf_counter()
        opt.zero_grad()
        logits, _ = model(x, state)
        loss = loss_fn(logits.reshape(T * B, -1), y)
        loss.backward()
        opt.step()
        loss.item()
        if i >= warmup:
            times.append(time.perf_counter() - t0)
    median = statistics.median(times)
    print(
        json.dumps(
            {
                "config": c["name"],
                "median_ms": median * 1000,
                "tokens_per_s": T * B / median,
                "steps": steps,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "matmul_gflops": matmul_peak(),
            }
        )
    )


if __name__ == "__main__":
    main()
