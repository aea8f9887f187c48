"""Records extra pytorch_optimizer 3.9.0 cases: every option branch of the element-wise optimizers
(format kernelgen-conformance/1), the schedule-free train/eval switch, and Lookahead.

The shared cases (tests/conformance/pytorch_optimizer) cover one setting per optimizer; these cover
the others: coupled, decoupled and fixed weight decay, maximize, rectify with and without
degenerated_to_sgd, ams_bound, Adan's max_grad_norm, MADGRAD's momentum 0 and eps 0, ADOPT's
lerp for small beta1, schedule-free warm-up, r, weight_lr_power, decoupling_c and a decaying lr.

Run with a PyTorch 1.13.1 (Debian 12's python3-torch is one) and pytorch_optimizer 3.9.0's
source on PYTHONPATH (its v3.9.0 tag; it imports torch 2's LRScheduler name, aliased below):
    PYTHONPATH=/path/to/pytorch_optimizer-3.9.0 /usr/bin/python3 generate.py
It rewrites the *.json files next to it.
"""
import json
import os

import torch
import torch.optim.lr_scheduler as S

S.LRScheduler = S._LRScheduler  # pytorch_optimizer 3.9.0 imports the torch 2 name; 1.13 has it underscored.

import pytorch_optimizer as po  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = "pytorch_optimizer 3.9.0 on torch " + torch.__version__


def write(case):
    with open(os.path.join(HERE, case["name"] + ".json"), "w") as f:
        json.dump(case, f)


def plain(hyper):
    return {k: list(v) if isinstance(v, tuple) else v for k, v in hyper.items()}


def data(sizes, steps, seed, grad_scale, zero_element):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(n, generator=g) for n in sizes]
    grads = [[torch.randn(n, generator=g) * grad_scale for n in sizes] for _ in range(steps)]
    if zero_element is not None:
        # One element whose gradient is always 0 (sign 0, a zero second moment, ...).
        tensor, element = zero_element
        for step in grads:
            step[tensor][element] = 0.0
    return params, grads


def trajectory(opt, tensors, grads, after_step=None):
    """Sets each step's gradients, steps, and returns the tensors after every step."""
    expected = []
    for step in grads:
        for t, grad in zip(tensors, step):
            t.grad = grad.clone()
        opt.step()
        if after_step is not None:
            after_step()
        expected.append([t.detach().tolist() for t in tensors])
    return expected


def optimizer_case(name, optimizer, hyper, sizes=(5, 17, 33), steps=20, seed=0, grad_scale=1.0, zero_element=None,
                   scheduler=None):
    params, grads = data(sizes, steps, seed, grad_scale, zero_element)
    tensors = [p.clone().requires_grad_(True) for p in params]
    opt = getattr(po, optimizer)(tensors, **hyper)
    sched = getattr(S, scheduler["name"])(opt, **scheduler["args"]) if scheduler else None
    expected = trajectory(opt, tensors, grads, sched.step if sched else None)
    case = {"format": "kernelgen-conformance/1", "kind": "optimizer", "name": name,
            "reference": REFERENCE + " " + optimizer + " (per-parameter path)", "optimizer": optimizer,
            "hyper": plain(hyper), "steps": steps, "params": [p.tolist() for p in params],
            "grads": [[x.tolist() for x in step] for step in grads], "expected": expected}
    if scheduler:
        case["scheduler"] = scheduler
    write(case)


def modes_case(name, optimizer, hyper, sizes=(6, 19), steps_before=8, steps_after=5, seed=0):
    """Steps in train mode, eval() (x), train() (y again), more steps: the parameters after each."""
    params, grads = data(sizes, steps_before + steps_after, seed, 1.0, None)
    tensors = [p.clone().requires_grad_(True) for p in params]
    opt = getattr(po, optimizer)(tensors, **hyper)

    before = trajectory(opt, tensors, grads[:steps_before])
    opt.eval()
    x = [t.detach().tolist() for t in tensors]
    opt.eval()  # a second eval() changes nothing
    x_again = [t.detach().tolist() for t in tensors]
    opt.train()
    y = [t.detach().tolist() for t in tensors]
    after = trajectory(opt, tensors, grads[steps_before:])
    write({"name": name, "reference": REFERENCE + " " + optimizer + ".eval()/.train()", "optimizer": optimizer,
           "hyper": plain(hyper), "params": [p.tolist() for p in params],
           "grads": [[x.tolist() for x in step] for step in grads], "steps_before": steps_before,
           "expected_before": before, "eval": x, "eval_again": x_again, "train": y, "expected_after": after})


def lookahead_case(name, inner, inner_hyper, k, alpha, pullback, sizes=(7, 16), steps=17, seed=0):
    params, grads = data(sizes, steps, seed, 1.0, None)
    tensors = [p.clone().requires_grad_(True) for p in params]
    inner_class = getattr(torch.optim, inner, None) or getattr(po, inner)
    opt = po.Lookahead(inner_class(tensors, **inner_hyper), k=k, alpha=alpha, pullback_momentum=pullback)
    expected = trajectory(opt, tensors, grads)
    write({"name": name, "reference": REFERENCE + " Lookahead around " + inner, "inner": inner,
           "inner_hyper": plain(inner_hyper), "k": k, "alpha": alpha, "pullback_momentum": pullback,
           "steps": steps, "params": [p.tolist() for p in params],
           "grads": [[x.tolist() for x in step] for step in grads], "expected": expected})


def main():
    optimizer_case("extra-adabelief-coupled-maximize", "AdaBelief",
                   {"lr": 0.01, "weight_decay": 0.01, "weight_decouple": False, "maximize": True}, seed=1)
    optimizer_case("extra-adabelief-fixed-decay", "AdaBelief",
                   {"lr": 0.01, "weight_decay": 0.1, "fixed_decay": True, "eps": 1e-8}, sizes=(1, 64), seed=2)
    optimizer_case("extra-adabelief-rectify", "AdaBelief", {"lr": 0.01, "rectify": True}, seed=3, zero_element=(1, 4))
    optimizer_case("extra-adabelief-rectify-no-sgd-amsbound", "AdaBelief",
                   {"lr": 0.02, "betas": (0.8, 0.99), "rectify": True, "degenerated_to_sgd": False, "ams_bound": True,
                    "eps": 1e-8, "weight_decay": 0.01}, seed=4)
    optimizer_case("extra-adabelief-threshold", "AdaBelief",
                   {"lr": 0.01, "rectify": True, "n_sma_threshold": 8, "ams_bound": True}, sizes=(40,), seed=5)

    optimizer_case("extra-adabelief-adam-debias-rectify", "AdaBelief",
                   {"lr": 0.01, "rectify": True, "adam_debias": True, "weight_decay": 0.01}, seed=41)

    optimizer_case("extra-lion-decoupled", "Lion", {"lr": 1e-3, "weight_decay": 0.1}, seed=6, zero_element=(0, 2))
    optimizer_case("extra-lion-coupled-maximize", "Lion",
                   {"lr": 1e-3, "weight_decay": 0.05, "weight_decouple": False, "maximize": True}, seed=7)
    optimizer_case("extra-lion-fixed-decay", "Lion",
                   {"lr": 3e-3, "betas": (0.95, 0.98), "weight_decay": 0.01, "fixed_decay": True}, sizes=(3, 100), seed=8)

    optimizer_case("extra-adan-decoupled", "Adan", {"lr": 0.01, "weight_decay": 0.02, "weight_decouple": True}, seed=9)
    optimizer_case("extra-adan-clipped", "Adan", {"lr": 0.01, "max_grad_norm": 1.0}, seed=10)
    optimizer_case("extra-adan-unclipped-maximize", "Adan", {"lr": 0.01, "max_grad_norm": 100.0, "maximize": True}, seed=11)
    optimizer_case("extra-adan-clipped-maximize-decoupled", "Adan",
                   {"lr": 0.005, "betas": (0.9, 0.9, 0.999), "max_grad_norm": 0.5, "maximize": True, "weight_decouple": True,
                    "weight_decay": 0.05}, sizes=(2, 50), seed=12)

    optimizer_case("extra-yogi-decoupled-maximize", "Yogi", {"lr": 0.01, "weight_decay": 0.01, "maximize": True}, seed=13,
                   zero_element=(2, 0))
    optimizer_case("extra-yogi-coupled", "Yogi",
                   {"lr": 0.01, "weight_decay": 0.01, "weight_decouple": False, "initial_accumulator": 0.5}, seed=14)
    optimizer_case("extra-yogi-adam-debias", "Yogi", {"lr": 0.01, "adam_debias": True}, seed=42)
    optimizer_case("extra-yogi-fixed-decay", "Yogi",
                   {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.1, "fixed_decay": True, "eps": 1e-6}, seed=15)

    optimizer_case("extra-madgrad-no-momentum", "MADGRAD", {"lr": 0.01, "momentum": 0.0}, seed=16)
    optimizer_case("extra-madgrad-coupled", "MADGRAD", {"lr": 0.01, "weight_decay": 0.01}, seed=17)
    optimizer_case("extra-madgrad-decoupled-maximize", "MADGRAD",
                   {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.05, "weight_decouple": True, "maximize": True}, seed=18)
    optimizer_case("extra-madgrad-eps0", "MADGRAD", {"lr": 0.01, "eps": 0.0}, seed=19, zero_element=(1, 3))
    # The reference divides 0 by 0 at the first step: every parameter becomes NaN.
    optimizer_case("extra-madgrad-no-momentum-eps0", "MADGRAD", {"lr": 0.01, "momentum": 0.0, "eps": 0.0}, seed=39, steps=3)
    optimizer_case("extra-madgrad-no-momentum-tiny-grads", "MADGRAD", {"lr": 1e-3, "momentum": 0.0}, seed=20,
                   grad_scale=1e-6, sizes=(64,))

    optimizer_case("extra-adopt-coupled-maximize", "ADOPT", {"lr": 0.01, "weight_decay": 0.01, "maximize": True}, seed=21)
    optimizer_case("extra-adopt-decoupled", "ADOPT", {"lr": 0.01, "weight_decay": 0.1, "weight_decouple": True}, seed=22,
                   zero_element=(0, 0))
    optimizer_case("extra-adopt-fixed-small-beta1", "ADOPT",
                   {"lr": 0.01, "betas": (0.3, 0.99), "weight_decay": 0.01, "weight_decouple": True, "fixed_decay": True,
                    "eps": 1e-3}, seed=23)

    optimizer_case("extra-schedulefree-adamw-wd", "ScheduleFreeAdamW", {"lr": 0.01, "weight_decay": 0.01}, seed=24)
    optimizer_case("extra-schedulefree-adamw-r-power-warmup", "ScheduleFreeAdamW",
                   {"lr": 0.01, "r": 1.0, "weight_lr_power": 1.0, "warmup_steps": 3, "maximize": True}, seed=25)
    optimizer_case("extra-schedulefree-adamw-decoupling", "ScheduleFreeAdamW",
                   {"lr": 0.01, "betas": (0.95, 0.99), "decoupling_c": 200, "warmup_steps": 4}, seed=26)
    optimizer_case("extra-schedulefree-adamw-decaying-lr", "ScheduleFreeAdamW", {"lr": 0.02, "warmup_steps": 2}, seed=27,
                   scheduler={"name": "ExponentialLR", "args": {"gamma": 0.8}})
    # beta2 = 0.9999 with a large lr: 1 - beta2^t computed naively in float drifted out of the tolerance here.
    optimizer_case("extra-schedulefree-adamw-beta2-9999", "ScheduleFreeAdamW",
                   {"lr": 0.0842, "betas": (0.9, 0.9999), "weight_decay": 1e-4, "r": 0.5, "weight_lr_power": 3.0,
                    "warmup_steps": 1, "decoupling_c": 10, "eps": 1e-6}, sizes=(3, 17, 70), steps=50, seed=40)
    optimizer_case("extra-schedulefree-sgd-wd", "ScheduleFreeSGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}, seed=28)
    optimizer_case("extra-schedulefree-sgd-r-warmup-maximize", "ScheduleFreeSGD",
                   {"lr": 0.1, "r": 0.5, "warmup_steps": 10, "maximize": True, "momentum": 0.0}, seed=29)
    optimizer_case("extra-schedulefree-sgd-uniform-weights", "ScheduleFreeSGD",
                   {"lr": 0.05, "weight_lr_power": 0.0, "momentum": 0.3}, seed=30)

    modes_case("modes-schedulefree-adamw", "ScheduleFreeAdamW", {"lr": 0.01, "warmup_steps": 3}, seed=31)
    modes_case("modes-schedulefree-adamw-small-beta1", "ScheduleFreeAdamW", {"lr": 0.01, "betas": (0.5, 0.999)}, seed=32)
    modes_case("modes-schedulefree-sgd", "ScheduleFreeSGD", {"lr": 0.1, "weight_decay": 0.01}, seed=33)

    lookahead_case("lookahead-sgd-momentum", "SGD", {"lr": 0.1, "momentum": 0.9}, k=5, alpha=0.5, pullback="none", seed=34)
    lookahead_case("lookahead-sgd-reset", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, k=3, alpha=0.8,
                   pullback="reset", seed=35)
    lookahead_case("lookahead-sgd-pullback", "SGD", {"lr": 0.1, "momentum": 0.9}, k=4, alpha=0.3, pullback="pullback", seed=36)
    lookahead_case("lookahead-adam-pullback", "Adam", {"lr": 0.01}, k=2, alpha=0.6, pullback="pullback", seed=37)
    lookahead_case("lookahead-lion-k1", "Lion", {"lr": 0.01}, k=1, alpha=0.25, pullback="none", seed=38)


if __name__ == "__main__":
    main()
