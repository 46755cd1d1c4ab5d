"""PyTorch reference for bench/nn.sh: the same decoder as bench/nn_bench.c
(token + position embeddings, pre-LN blocks with GELU(tanh) FFN, final LN,
linear head, cross-entropy, AdamW, grad clip 1.0, dropout 0.1), random tokens,
timed per training step on CPU. Prints torch_tokens_per_s=N."""
import argparse
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Block(nn.Module):
    def __init__(self, C, NH, p):
        super().__init__()
        self.ln1, self.ln2 = nn.LayerNorm(C), nn.LayerNorm(C)
        self.qkv, self.proj = nn.Linear(C, 3 * C), nn.Linear(C, C)
        self.fc, self.fc2 = nn.Linear(C, 4 * C), nn.Linear(4 * C, C)
        self.NH, self.drop = NH, nn.Dropout(p)

    def forward(self, x):
        B, T, C = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(C, dim=2)
        q, k, v = (t.view(B, T, self.NH, C // self.NH).transpose(1, 2) for t in (q, k, v))
        att = (q @ k.transpose(-2, -1)) / math.sqrt(C // self.NH)
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(B, T, C)
        x = x + self.drop(self.proj(y))
        return x + self.drop(self.fc2(F.gelu(self.fc(self.ln2(x)), approximate="tanh")))


class GPT(nn.Module):
    def __init__(self, L, C, NH, T, V, p=0.1):
        super().__init__()
        self.wte, self.wpe = nn.Embedding(V, C), nn.Embedding(T, C)
        self.blocks = nn.ModuleList(Block(C, NH, p) for _ in range(L))
        self.ln_f, self.head = nn.LayerNorm(C), nn.Linear(C, V)

    def forward(self, idx, tgt):
        x = self.wte(idx) + self.wpe(torch.arange(idx.shape[1]))
        for b in self.blocks:
            x = b(x)
        return F.cross_entropy(self.head(self.ln_f(x)).flatten(0, 1), tgt.flatten())


def main():
    ap = argparse.ArgumentParser()
    for k, v in dict(layers=4, width=256, heads=8, T=512, B=8, vocab=512, steps=4, threads=2).items():
        ap.add_argument("--" + k, type=int, default=v)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    m = GPT(a.layers, a.width, a.heads, a.T, a.vocab)
    opt = torch.optim.AdamW(m.parameters(), lr=3e-4)
    idx = torch.randint(a.vocab, (a.B, a.T))
    tgt = torch.randint(a.vocab, (a.B, a.T))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = m(idx, tgt)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
        opt.step()
        return loss.item()

    step()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    dt = (time.perf_counter() - t0) / a.steps
    print(f"threads {a.threads}: {dt:.3f} s/step, {a.B * a.T / dt:.0f} tokens/s")
    print(f"RESULT torch_tokens_per_s={a.B * a.T / dt:.0f}")


if __name__ == "__main__":
    main()
