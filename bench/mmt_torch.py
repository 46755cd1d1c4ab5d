"""PyTorch reference for bench/mmt_train.sh: the MMT model exactly as musc
builds it (six field embeddings summed + learned positions, embedding
dropout, pre-LN blocks with GELU(tanh) FFN, residual and attention dropout,
final LN, six linear heads, loss = sum of the six mean cross-entropies),
trained with Adam (no weight decay), grad clip 1.0, on random valid codes;
timed per training step on CPU. Prints torch_tokens_per_s=N."""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

FIELDS = (5, 257, 13, 129, 33, 65)  # MMT: type, beat, position, pitch, duration, instrument


class Block(nn.Module):
    def __init__(self, C, NH, FF, p):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc, self.fc2 = nn.Linear(C, FF), nn.Linear(FF, C)
        self.NH, self.p, self.drop = NH, p, nn.Dropout(p)

    def forward(self, x, mask):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.NH, C // self.NH).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.NH)
        att = self.drop(att.masked_fill(~mask, float("-inf")).softmax(-1))
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh")))


class MMT(nn.Module):
    def __init__(self, L, C, NH, FF, T, p):
        super().__init__()
        self.emb = nn.ModuleList(nn.Embedding(v, C) for v in FIELDS)
        self.pos = nn.Embedding(T, C)
        self.drop = nn.Dropout(p)
        self.blocks = nn.ModuleList(Block(C, NH, FF, p) for _ in range(L))
        self.ln_f = nn.LayerNorm(C)
        self.heads = nn.ModuleList(nn.Linear(C, v) for v in FIELDS)
        self.register_buffer("mask", torch.ones(T, T, dtype=torch.bool).tril())

    def forward(self, seq):
        x_in, tgt = seq[:, :-1], seq[:, 1:]
        T = x_in.shape[1]
        x = sum(e(x_in[..., f]) for f, e in enumerate(self.emb)) + self.pos(torch.arange(T))
        x = self.drop(x)
        for b in self.blocks:
            x = b(x, self.mask[:T, :T])
        h = self.ln_f(x)
        return sum(F.cross_entropy(head(h).flatten(0, 1), tgt[..., f].flatten())
                   for f, head in enumerate(self.heads))


def main():
    ap = argparse.ArgumentParser()
    for k, v in dict(layers=4, width=256, heads=8, ffn=1024, T=512, B=8, steps=4, threads=2).items():
        ap.add_argument("--" + k, type=int, default=v)
    ap.add_argument("--dropout", type=float, default=0.1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = MMT(a.layers, a.width, a.heads, a.ffn, a.T, a.dropout)
    opt = torch.optim.Adam(m.parameters(), lr=5e-4)
    seq = torch.stack([torch.randint(v, (a.B, a.T + 1)) for v in FIELDS], dim=-1)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = m(seq)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        loss = step()
    dt = (time.perf_counter() - t0) / a.steps
    dc = (time.process_time() - c0) / a.steps
    n = a.B * a.T
    print(f"PyTorch {torch.__version__}, threads {a.threads}: {dt:.3f} s/step, {n / dt:.0f} tokens/s; "
          f"CPU {dc:.3f} s/step ({n / dc * a.threads:.0f} tokens/s if the cores were not shared); "
          f"loss {loss:.3f}, {sum(p.numel() for p in m.parameters()) / 1e6:.2f} M parameters")
    print(f"RESULT torch_tokens_per_s={n / dt:.0f} torch_cpu_time_estimate={n / dc * a.threads:.0f}")


if __name__ == "__main__":
    main()
