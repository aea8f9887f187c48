"""Records extra scheduler and clipping cases (format kernelgen-conformance/1) from PyTorch 1.13.1.

The shared cases cover one setting per scheduler; these cover the other branches (momentum
cycling on SGD, plateau max/abs modes, SequentialLR milestones that jump a closed form or a
scheduler without one, chained recursive cosine, infinity- and 1-norm clipping, ...).

Run with a PyTorch 1.13.1 (Debian 12's python3-torch is one):
    /usr/bin/python3 generate.py
It rewrites the *.json files next to it.
"""
import json
import math
import os

import torch
from torch.optim import SGD, Adam, AdamW
from torch.optim import lr_scheduler as S

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = "torch " + torch.__version__


def write(case):
    with open(os.path.join(HERE, case["name"] + ".json"), "w") as f:
        json.dump(case, f)


def build(optimizer, spec):
    args = dict(spec.get("args", {}))
    if spec["name"] in ("SequentialLR", "ChainedScheduler"):
        children = [build(optimizer, child) for child in args.pop("schedulers")]
        if spec["name"] == "ChainedScheduler":
            return S.ChainedScheduler(children)
        return S.SequentialLR(optimizer, children, **args)
    return getattr(S, spec["name"])(optimizer, **args)


def momentum_of(group):
    return group["betas"][0] if "betas" in group else group["momentum"]


def scheduler_case(name, spec, base_lr=0.1, steps=60, optimizer="SGD", optimizer_hyper=None, metrics=None, momentums=False):
    hyper = dict(optimizer_hyper or {})
    opt = {"SGD": SGD, "Adam": Adam}[optimizer]([torch.zeros(1, requires_grad=True)], lr=base_lr, **hyper)
    scheduler = build(opt, spec)
    lrs, moms = [], []
    for s in range(steps):
        lrs.append(opt.param_groups[0]["lr"])
        moms.append(momentum_of(opt.param_groups[0]))
        opt.step()
        if metrics is not None:
            scheduler.step(metrics[s])
        else:
            scheduler.step()
    case = {"format": "kernelgen-conformance/1", "kind": "scheduler", "name": name,
            "reference": REFERENCE + " torch.optim.lr_scheduler." + spec["name"],
            "base_lr": base_lr, "scheduler": spec, "steps": steps, "lrs": lrs}
    if optimizer != "SGD" or optimizer_hyper:
        case["optimizer"] = optimizer
        case["optimizer_hyper"] = {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()}
    if metrics is not None:
        case["metrics"] = metrics
    if momentums:
        case["momentums"] = moms
    write(case)


def optimizer_case(name, optimizer, hyper, spec, clip, steps=20, sizes=(5, 17, 3), seed=0, grad_scale=1.0, poison=None):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(n, generator=g) for n in sizes]
    grads = [[torch.randn(n, generator=g) * grad_scale for n in sizes] for _ in range(steps)]
    if poison is not None:
        step, tensor, element, value = poison
        grads[step][tensor][element] = value
    tensors = [p.clone().requires_grad_(True) for p in params]
    opt = {"SGD": SGD, "Adam": Adam, "AdamW": AdamW}[optimizer](tensors, **hyper)
    scheduler = build(opt, spec) if spec is not None else None
    lrs, expected = [], []
    for s in range(steps):
        for t, grad in zip(tensors, grads[s]):
            t.grad = grad.clone()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(tensors, clip["max_norm"], clip.get("norm_type", 2.0))
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()
        if scheduler is not None:
            scheduler.step()
        expected.append([t.detach().tolist() for t in tensors])
    case = {"format": "kernelgen-conformance/1", "kind": "optimizer", "name": name,
            "reference": REFERENCE + " torch.optim." + optimizer, "optimizer": optimizer,
            "hyper": {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()},
            "steps": steps, "params": [p.tolist() for p in params],
            "grads": [[x.tolist() for x in step] for step in grads], "lrs": lrs, "expected": expected}
    if spec is not None:
        case["scheduler"] = spec
    if clip is not None:
        case["clip_grad_norm"] = clip
    write(case)


def sch(name, **args):
    return {"name": name, "args": args}


scheduler_case("extra-step-default-gamma", sch("StepLR", step_size=3))
scheduler_case("extra-multistep-repeated-unsorted", sch("MultiStepLR", milestones=[8, 3, 3, 20], gamma=0.5))
scheduler_case("extra-constant-default", sch("ConstantLR"))
scheduler_case("extra-linear-decreasing", sch("LinearLR", start_factor=1.0, end_factor=0.1, total_iters=12))
scheduler_case("extra-polynomial-sqrt", sch("PolynomialLR", total_iters=10, power=0.5))
scheduler_case("extra-cosine-past-tmax", sch("CosineAnnealingLR", T_max=10))
scheduler_case("extra-warm-restarts-tmult1", sch("CosineAnnealingWarmRestarts", T_0=7, eta_min=0.0005))
scheduler_case("extra-cyclic-momentum-sgd", sch("CyclicLR", base_lr=0.01, max_lr=0.2, step_size_up=4, step_size_down=7),
               optimizer_hyper={"momentum": 0.9}, momentums=True)
scheduler_case("extra-cyclic-exp-range-momentum", sch("CyclicLR", base_lr=0.001, max_lr=0.05, step_size_up=5, mode="exp_range",
                                                      gamma=0.95, base_momentum=0.7, max_momentum=0.95),
               optimizer_hyper={"momentum": 0.5}, momentums=True)
scheduler_case("extra-onecycle-sgd-momentum-3phase", sch("OneCycleLR", max_lr=0.3, epochs=5, steps_per_epoch=12, pct_start=0.25,
                                                         three_phase=True, div_factor=10.0, final_div_factor=50.0),
               optimizer_hyper={"momentum": 0.9}, momentums=True)
scheduler_case("extra-onecycle-linear-adam", sch("OneCycleLR", max_lr=0.02, total_steps=59, anneal_strategy="linear", pct_start=0.4), steps=59,
               optimizer="Adam", optimizer_hyper={"betas": (0.8, 0.99)}, momentums=True)
metrics_up = [min(0.1 * s, 0.5 + 0.001 * (s % 3)) for s in range(60)]
scheduler_case("extra-plateau-max-abs", sch("ReduceLROnPlateau", mode="max", factor=0.3, patience=0, threshold=0.01,
                                            threshold_mode="abs", cooldown=2, min_lr=0.002), metrics=metrics_up)
metrics_noisy = [1.0 / (1 + s) + 0.05 * math.sin(1.7 * s) for s in range(60)]
scheduler_case("extra-plateau-min-rel-eps", sch("ReduceLROnPlateau", factor=0.7, patience=2, threshold=0.05,
                                                min_lr=0.02, eps=0.015), metrics=metrics_noisy)
scheduler_case("extra-sequential-three", sch("SequentialLR", schedulers=[sch("ConstantLR", factor=0.5, total_iters=2),
                                                                         sch("ExponentialLR", gamma=0.9),
                                                                         sch("StepLR", step_size=4, gamma=0.5)],
                                             milestones=[3, 10]))
scheduler_case("extra-sequential-warmup-onecycle", sch("SequentialLR", schedulers=[sch("LinearLR", start_factor=0.2, total_iters=4),
                                                                                   sch("OneCycleLR", max_lr=0.5, total_steps=50)],
                                                       milestones=[6]), steps=56)
scheduler_case("extra-sequential-warmup-restarts", sch("SequentialLR", schedulers=[sch("LinearLR", start_factor=0.5, total_iters=3),
                                                                                   sch("CosineAnnealingWarmRestarts", T_0=4, T_mult=2)],
                                                       milestones=[5]))
scheduler_case("extra-sequential-cyclic", sch("SequentialLR", schedulers=[sch("ExponentialLR", gamma=0.8),
                                                                          sch("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3,
                                                                              cycle_momentum=False)],
                                              milestones=[4]))
scheduler_case("extra-chained-cosine-multistep", sch("ChainedScheduler", schedulers=[sch("MultiStepLR", milestones=[5, 15], gamma=0.5),
                                                                                     sch("CosineAnnealingLR", T_max=12, eta_min=0.001),
                                                                                     sch("ExponentialLR", gamma=0.98)]))

optimizer_case("extra-sgd-steplr-clip-inf", "SGD", {"lr": 0.1, "momentum": 0.9}, sch("StepLR", step_size=5, gamma=0.5),
               {"max_norm": 0.5, "norm_type": float("inf")}, seed=1)
optimizer_case("extra-adam-restarts-clip-l1", "Adam", {"lr": 0.01}, sch("CosineAnnealingWarmRestarts", T_0=6, T_mult=2),
               {"max_norm": 3.0, "norm_type": 1.0}, seed=2)
optimizer_case("extra-adamw-onecycle-betas-clip", "AdamW", {"lr": 0.001, "weight_decay": 0.05},
               sch("OneCycleLR", max_lr=0.02, total_steps=20), {"max_norm": 1.0}, seed=3, sizes=(40, 9))
optimizer_case("extra-sgd-cyclic-momentum", "SGD", {"lr": 0.05, "momentum": 0.9},
               sch("CyclicLR", base_lr=0.01, max_lr=0.1, step_size_up=3), None, seed=4)
optimizer_case("extra-sgd-clip-unclipped", "SGD", {"lr": 0.05}, None, {"max_norm": 100.0}, seed=5)
optimizer_case("extra-sgd-clip-inf-grad", "SGD", {"lr": 0.05}, None, {"max_norm": 1.0}, seed=6, steps=3,
               poison=(1, 1, 4, float("inf")))
