"""Training speed: a plain textbook PyTorch GAN loop against ganviz's Trainer.

Both train the same MLP pair (same widths, depth, initial weights, data
sampler, batch, optimiser settings and loss — the non-saturating GAN) for the
same number of generator steps in this one process. The plain loop is the
pytorch/examples shape: separate real and fake discriminator passes,
``zero_grad()`` + ``backward()`` on each player, default optimisers,
``BCEWithLogitsLoss``, and ``.item()`` of both losses every step. ganviz
does the same mathematics with a fused real/fake pass, no graph for the
fake batch of the D update, gradients for G only in the G update, on-device
loss sums read once per snapshot, foreach optimisers — and it *also* takes a
full snapshot (D on a 64×64 grid, per-sample gradients, manifold, metrics)
every 100 steps, which the plain loop does not.

Each configuration is timed ``--repeats`` times, alternating the two loops,
and the best time of each is kept (the machine is shared); steps per
CPU-second (process time, all threads) are printed too, since they barely
move when other jobs take the cores. The first row
compares the defaults a user gets — the plain loop at torch's thread count,
ganviz at its own (one thread on CPU) — and the next rows force both loops to
the same thread count, so the thread choice and the loop's own work can be
told apart.

    python benchmarks/trainer_speed.py              # hidden 128, batch 256, 600 steps
    python benchmarks/trainer_speed.py --steps 2000 --threads 1 2
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import torch
from torch import nn

from ganviz.train import TrainConfig, Trainer


def plain_loop(config: TrainConfig, steps: int) -> tuple[float, float]:
    """The textbook loop on the same networks and data; returns (wall, CPU) seconds."""
    ref = Trainer(config.replace(snapshot_every=0))  # same initial weights and data sampler
    G, D, data = ref.G, ref.D, ref.dataset
    gen = torch.Generator().manual_seed(config.seed)
    opt_g = torch.optim.Adam(G.parameters(), lr=config.lr_g, betas=config.betas)
    opt_d = torch.optim.Adam(D.parameters(), lr=config.lr_d, betas=config.betas)
    criterion = nn.BCEWithLogitsLoss()
    n, z_dim = config.batch_size, ref.z_dim
    ones, zeros = torch.ones(n), torch.zeros(n)
    d_losses, g_losses = [], []
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(steps):
        real = data.sample(n, gen)
        fake = G(torch.randn(n, z_dim, generator=gen))
        opt_d.zero_grad()
        loss_d = criterion(D(real), ones) + criterion(D(fake.detach()), zeros)
        loss_d.backward()
        opt_d.step()
        fake = G(torch.randn(n, z_dim, generator=gen))
        opt_g.zero_grad()
        loss_g = criterion(D(fake), ones)
        loss_g.backward()
        opt_g.step()
        d_losses.append(loss_d.item())
        g_losses.append(loss_g.item())
    return time.perf_counter() - start, time.process_time() - cpu


def ganviz_loop(config: TrainConfig, steps: int) -> tuple[float, float]:
    trainer = Trainer(config)
    start, cpu = time.perf_counter(), time.process_time()
    trainer.run(steps)
    return time.perf_counter() - start, time.process_time() - cpu


def measure(config: TrainConfig, steps: int, repeats: int, plain_threads: int) -> list[float]:
    """Best-of-``repeats`` steps/s: [plain wall, plain CPU, ganviz wall, ganviz CPU]."""
    torch.set_num_threads(plain_threads)
    plain_loop(config, 20), ganviz_loop(config, 20)  # warm-up
    plain, ours = [], []
    for _ in range(repeats):  # alternate, so a burst of load hits both
        plain.append(plain_loop(config, steps))
        ours.append(ganviz_loop(config, steps))
    return [steps / min(t[i] for t in runs) for runs in (plain, ours) for i in (0, 1)]


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--depth", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=256)
    parser.add_argument("--threads", type=int, nargs="*", default=[1, 2],
                        help="also compare both loops forced to these thread counts")  # fmt: skip
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args(argv)
    base = TrainConfig(
        dataset="ring8",
        loss="nonsaturating",
        hidden=args.hidden,
        depth=args.depth,
        batch_size=args.batch_size,
        snapshot_every=100,
        device=args.device,
    )
    default_threads = torch.get_num_threads()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"torch {torch.__version__} on {platform.machine()} ({os.cpu_count()} CPUs, "
        f"load {load:.1f}), "
        f"device {args.device}; hidden {args.hidden}, depth {args.depth}, batch "
        f"{args.batch_size}, {args.steps} generator steps, best of {args.repeats}"
    )
    print(
        f"{'threads (plain / ganviz)':<26} | {'plain steps/s':>13} | {'ganviz steps/s':>14} | "
        "ratio | per CPU-second: plain, ganviz, ratio"
    )
    print("-" * 108)
    rows = [(f"defaults ({default_threads} / auto=1)", base, default_threads)]
    rows += [(f"both {k}", base.replace(threads=k), k) for k in args.threads]
    for label, config, plain_threads in rows:
        p, p_cpu, g, g_cpu = measure(config, args.steps, args.repeats, plain_threads)
        print(
            f"{label:<26} | {p:>13.1f} | {g:>14.1f} | {g / p:>4.2f}× | "
            f"{p_cpu:>8.1f} {g_cpu:>8.1f} {g_cpu / p_cpu:>6.2f}×",
            flush=True,
        )
    torch.set_num_threads(default_threads)
    if hasattr(os, "getloadavg"):
        print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
