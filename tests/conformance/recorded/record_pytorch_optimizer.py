"""Records the pytorch_optimizer reference data under recorded/pytorch_optimizer/, from
pytorch_optimizer 3.9.0 on PyTorch 1.13.1, in the format kernelgen-conformance/1.

options/: every option branch of the element-wise optimizers. The copied pytorch_optimizer/ cases
cover one setting per optimizer; these cover the others: coupled, decoupled and fixed weight decay,
maximize, rectify with and without degenerated_to_sgd, ams_bound, Adan's max_grad_norm, MADGRAD's
momentum 0 and eps 0, ADOPT's lerp for small beta1, schedule-free warm-up, r, weight_lr_power,
decoupling_c and a decaying lr.

reductions/: Lamb, LARS and NovoGrad: the option branches the copied cases leave out, and the
norms' edge cases (a zero tensor, a parameter norm over LAMB's clamp of 10). LARS gives the trust
ratio and the weight decay only to tensors of two or more dimensions; the copied case records 1-D
tensors. The cases named extra-lars-matrix-* record 2-D tensors (written flat, row-major) and carry
"MultiDimensional": true in their hyper, KernelGen's name for stating that shape (it is not a
constructor argument of the reference and is not passed to it). The same recording of the copied
cases' inputs reproduces their expected values bit for bit.

schedule-free-modes/ (kind "schedule_free_modes"): the schedule-free train/eval switch.
lookahead/ (kind "lookahead"): Lookahead around torch and pytorch_optimizer optimizers.

Run with a PyTorch 1.13.1 (Debian 12's python3-torch is one) and pytorch_optimizer 3.9.0's source
on PYTHONPATH (its v3.9.0 tag; it imports torch 2's LRScheduler name, aliased below):
    PYTHONPATH=/path/to/pytorch_optimizer-3.9.0 /usr/bin/python3 record_pytorch_optimizer.py [OUT]
It rewrites OUT/pytorch_optimizer/{options,reductions,schedule-free-modes,lookahead}/*.json; OUT
defaults to the folder of this script, so a plain run rewrites the committed files.

    PYTHONPATH=... /usr/bin/python3 record_pytorch_optimizer.py sweep OUT N SEED
records N random configurations of the element-wise optimizers (random hyper-parameters in their
valid ranges, steps, tensor sizes, gradient scales) as conformance cases in OUT, for
`dotnet run -c Release --project tools/Conformance -- OUT`. Not run by the tests: a way to look for
settings where the float rules leave the tolerance (see docs/optimizers.md). Cases where the
reference raises or gives non-finite values are not written.

This script joins the recorders that were written for each of these folders, rearranged into one
file (the functions and the recorded settings are theirs, unchanged; the lookahead and
schedule-free-modes cases now carry "format" and "kind"). The committed files were written by those
recorders; this merged script has not been run again since, as pytorch_optimizer 3.9.0 was not at
hand when it was merged.
"""
import json
import math
import os
import random
import sys

import torch
import torch.optim.lr_scheduler as S

S.LRScheduler = S._LRScheduler  # pytorch_optimizer 3.9.0 imports the torch 2 name; 1.13 has it underscored.

import pytorch_optimizer as po  # noqa: E402

FORMAT = "kernelgen-conformance/1"
REFERENCE = "pytorch_optimizer 3.9.0 on torch " + torch.__version__
HERE = os.path.dirname(os.path.abspath(__file__))
KERNELGEN_ONLY = ("MultiDimensional",)
MATRICES = ((4, 5), (2, 17), (3, 11))


def write(out, case):
    with open(os.path.join(out, case["name"] + ".json"), "w") as f:
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


def optimizer_case(out, name, optimizer, hyper, sizes=(5, 17, 33), steps=20, seed=0, grad_scale=1.0, zero_element=None,
                   scheduler=None):
    params, grads = data(sizes, steps, seed, grad_scale, zero_element)
    tensors = [p.clone().requires_grad_(True) for p in params]
    opt = getattr(po, optimizer)(tensors, **hyper)
    sched = getattr(S, scheduler["name"])(opt, **scheduler["args"]) if scheduler else None
    expected = trajectory(opt, tensors, grads, sched.step if sched else None)
    case = {"format": FORMAT, "kind": "optimizer", "name": name,
            "reference": REFERENCE + " " + optimizer + " (per-parameter path)", "optimizer": optimizer,
            "hyper": plain(hyper), "steps": steps, "params": [p.tolist() for p in params],
            "grads": [[x.tolist() for x in step] for step in grads], "expected": expected}
    if scheduler:
        case["scheduler"] = scheduler
    write(out, case)


def modes_case(out, name, optimizer, hyper, sizes=(6, 19), steps_before=8, steps_after=5, seed=0):
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
    write(out, {"format": FORMAT, "kind": "schedule_free_modes", "name": name,
                "reference": REFERENCE + " " + optimizer + ".eval()/.train()", "optimizer": optimizer,
                "hyper": plain(hyper), "params": [p.tolist() for p in params],
                "grads": [[x.tolist() for x in step] for step in grads], "steps_before": steps_before,
                "expected_before": before, "eval": x, "eval_again": x_again, "train": y, "expected_after": after})


def lookahead_case(out, name, inner, inner_hyper, k, alpha, pullback, sizes=(7, 16), steps=17, seed=0):
    params, grads = data(sizes, steps, seed, 1.0, None)
    tensors = [p.clone().requires_grad_(True) for p in params]
    inner_class = getattr(torch.optim, inner, None) or getattr(po, inner)
    opt = po.Lookahead(inner_class(tensors, **inner_hyper), k=k, alpha=alpha, pullback_momentum=pullback)
    expected = trajectory(opt, tensors, grads)
    write(out, {"format": FORMAT, "kind": "lookahead", "name": name,
                "reference": REFERENCE + " Lookahead around " + inner, "inner": inner,
                "inner_hyper": plain(inner_hyper), "k": k, "alpha": alpha, "pullback_momentum": pullback,
                "steps": steps, "params": [p.tolist() for p in params],
                "grads": [[x.tolist() for x in step] for step in grads], "expected": expected})


def reduction_case(out, name, optimizer, hyper, shapes=((5,), (17,), (33,)), steps=20, seed=0, param_scale=1.0, zero_params=(), zero_grads=()):
    g = torch.Generator().manual_seed(seed)
    params = [torch.randn(*shape, generator=g) * param_scale for shape in shapes]
    grads = [[torch.randn(*shape, generator=g) for shape in shapes] for _ in range(steps)]
    for i in zero_params:
        params[i].zero_()  # a zero parameter norm: trust ratio 1
    for i in zero_grads:
        for step in grads:
            step[i].zero_()  # a zero gradient (LARS: a zero update norm)
    tensors = [p.clone().requires_grad_(True) for p in params]
    arguments = {k: tuple(v) if isinstance(v, list) else v for k, v in hyper.items() if k not in KERNELGEN_ONLY}
    opt = getattr(po, optimizer)(tensors, **arguments)
    expected = []
    for step in grads:
        for t, grad in zip(tensors, step):
            t.grad = grad.clone()
        opt.step()
        expected.append([t.detach().flatten().tolist() for t in tensors])
    written = {"format": FORMAT, "kind": "optimizer", "name": name,
               "reference": REFERENCE + " " + optimizer + " (per-parameter path)", "optimizer": optimizer,
               "hyper": hyper, "steps": steps, "params": [p.flatten().tolist() for p in params],
               "grads": [[x.flatten().tolist() for x in step] for step in grads], "expected": expected}
    write(out, written)


def record_options(out):
    """options/: the element-wise optimizers' option branches."""
    optimizer_case(out, "extra-adabelief-coupled-maximize", "AdaBelief",
                        {"lr": 0.01, "weight_decay": 0.01, "weight_decouple": False, "maximize": True}, seed=1)
    optimizer_case(out, "extra-adabelief-fixed-decay", "AdaBelief",
                        {"lr": 0.01, "weight_decay": 0.1, "fixed_decay": True, "eps": 1e-8}, sizes=(1, 64), seed=2)
    optimizer_case(out, "extra-adabelief-rectify", "AdaBelief", {"lr": 0.01, "rectify": True}, seed=3, zero_element=(1, 4))
    optimizer_case(out, "extra-adabelief-rectify-no-sgd-amsbound", "AdaBelief",
                        {"lr": 0.02, "betas": (0.8, 0.99), "rectify": True, "degenerated_to_sgd": False, "ams_bound": True,
                         "eps": 1e-8, "weight_decay": 0.01}, seed=4)
    optimizer_case(out, "extra-adabelief-threshold", "AdaBelief",
                        {"lr": 0.01, "rectify": True, "n_sma_threshold": 8, "ams_bound": True}, sizes=(40,), seed=5)

    optimizer_case(out, "extra-adabelief-adam-debias-rectify", "AdaBelief",
                        {"lr": 0.01, "rectify": True, "adam_debias": True, "weight_decay": 0.01}, seed=41)

    optimizer_case(out, "extra-lion-decoupled", "Lion", {"lr": 1e-3, "weight_decay": 0.1}, seed=6, zero_element=(0, 2))
    optimizer_case(out, "extra-lion-coupled-maximize", "Lion",
                        {"lr": 1e-3, "weight_decay": 0.05, "weight_decouple": False, "maximize": True}, seed=7)
    optimizer_case(out, "extra-lion-fixed-decay", "Lion",
                        {"lr": 3e-3, "betas": (0.95, 0.98), "weight_decay": 0.01, "fixed_decay": True}, sizes=(3, 100), seed=8)

    optimizer_case(out, "extra-adan-decoupled", "Adan", {"lr": 0.01, "weight_decay": 0.02, "weight_decouple": True}, seed=9)
    optimizer_case(out, "extra-adan-clipped", "Adan", {"lr": 0.01, "max_grad_norm": 1.0}, seed=10)
    optimizer_case(out, "extra-adan-unclipped-maximize", "Adan", {"lr": 0.01, "max_grad_norm": 100.0, "maximize": True}, seed=11)
    optimizer_case(out, "extra-adan-clipped-maximize-decoupled", "Adan",
                        {"lr": 0.005, "betas": (0.9, 0.9, 0.999), "max_grad_norm": 0.5, "maximize": True, "weight_decouple": True,
                         "weight_decay": 0.05}, sizes=(2, 50), seed=12)

    optimizer_case(out, "extra-yogi-decoupled-maximize", "Yogi", {"lr": 0.01, "weight_decay": 0.01, "maximize": True}, seed=13,
                        zero_element=(2, 0))
    optimizer_case(out, "extra-yogi-coupled", "Yogi",
                        {"lr": 0.01, "weight_decay": 0.01, "weight_decouple": False, "initial_accumulator": 0.5}, seed=14)
    optimizer_case(out, "extra-yogi-adam-debias", "Yogi", {"lr": 0.01, "adam_debias": True}, seed=42)
    optimizer_case(out, "extra-yogi-fixed-decay", "Yogi",
                        {"lr": 0.05, "betas": (0.5, 0.9), "weight_decay": 0.1, "fixed_decay": True, "eps": 1e-6}, seed=15)

    optimizer_case(out, "extra-madgrad-no-momentum", "MADGRAD", {"lr": 0.01, "momentum": 0.0}, seed=16)
    optimizer_case(out, "extra-madgrad-coupled", "MADGRAD", {"lr": 0.01, "weight_decay": 0.01}, seed=17)
    optimizer_case(out, "extra-madgrad-decoupled-maximize", "MADGRAD",
                        {"lr": 0.02, "momentum": 0.5, "weight_decay": 0.05, "weight_decouple": True, "maximize": True}, seed=18)
    optimizer_case(out, "extra-madgrad-eps0", "MADGRAD", {"lr": 0.01, "eps": 0.0}, seed=19, zero_element=(1, 3))
    # The reference divides 0 by 0 at the first step: every parameter becomes NaN.
    optimizer_case(out, "extra-madgrad-no-momentum-eps0", "MADGRAD", {"lr": 0.01, "momentum": 0.0, "eps": 0.0}, seed=39, steps=3)
    optimizer_case(out, "extra-madgrad-no-momentum-tiny-grads", "MADGRAD", {"lr": 1e-3, "momentum": 0.0}, seed=20,
                        grad_scale=1e-6, sizes=(64,))

    optimizer_case(out, "extra-adopt-coupled-maximize", "ADOPT", {"lr": 0.01, "weight_decay": 0.01, "maximize": True}, seed=21)
    optimizer_case(out, "extra-adopt-decoupled", "ADOPT", {"lr": 0.01, "weight_decay": 0.1, "weight_decouple": True}, seed=22,
                        zero_element=(0, 0))
    optimizer_case(out, "extra-adopt-fixed-small-beta1", "ADOPT",
                        {"lr": 0.01, "betas": (0.3, 0.99), "weight_decay": 0.01, "weight_decouple": True, "fixed_decay": True,
                         "eps": 1e-3}, seed=23)

    optimizer_case(out, "extra-schedulefree-adamw-wd", "ScheduleFreeAdamW", {"lr": 0.01, "weight_decay": 0.01}, seed=24)
    optimizer_case(out, "extra-schedulefree-adamw-r-power-warmup", "ScheduleFreeAdamW",
                        {"lr": 0.01, "r": 1.0, "weight_lr_power": 1.0, "warmup_steps": 3, "maximize": True}, seed=25)
    optimizer_case(out, "extra-schedulefree-adamw-decoupling", "ScheduleFreeAdamW",
                        {"lr": 0.01, "betas": (0.95, 0.99), "decoupling_c": 200, "warmup_steps": 4}, seed=26)
    optimizer_case(out, "extra-schedulefree-adamw-decaying-lr", "ScheduleFreeAdamW", {"lr": 0.02, "warmup_steps": 2}, seed=27,
                        scheduler={"name": "ExponentialLR", "args": {"gamma": 0.8}})
    # beta2 = 0.9999 with a large lr: 1 - beta2^t computed naively in float drifted out of the tolerance here.
    optimizer_case(out, "extra-schedulefree-adamw-beta2-9999", "ScheduleFreeAdamW",
                        {"lr": 0.0842, "betas": (0.9, 0.9999), "weight_decay": 1e-4, "r": 0.5, "weight_lr_power": 3.0,
                         "warmup_steps": 1, "decoupling_c": 10, "eps": 1e-6}, sizes=(3, 17, 70), steps=50, seed=40)
    optimizer_case(out, "extra-schedulefree-sgd-wd", "ScheduleFreeSGD", {"lr": 0.1, "momentum": 0.5, "weight_decay": 0.01}, seed=28)
    optimizer_case(out, "extra-schedulefree-sgd-r-warmup-maximize", "ScheduleFreeSGD",
                        {"lr": 0.1, "r": 0.5, "warmup_steps": 10, "maximize": True, "momentum": 0.0}, seed=29)
    optimizer_case(out, "extra-schedulefree-sgd-uniform-weights", "ScheduleFreeSGD",
                        {"lr": 0.05, "weight_lr_power": 0.0, "momentum": 0.3}, seed=30)


def record_schedule_free_modes(out):
    """schedule-free-modes/: eval() and train() between steps."""
    modes_case(out, "modes-schedulefree-adamw", "ScheduleFreeAdamW", {"lr": 0.01, "warmup_steps": 3}, seed=31)
    modes_case(out, "modes-schedulefree-adamw-small-beta1", "ScheduleFreeAdamW", {"lr": 0.01, "betas": (0.5, 0.999)}, seed=32)
    modes_case(out, "modes-schedulefree-sgd", "ScheduleFreeSGD", {"lr": 0.1, "weight_decay": 0.01}, seed=33)


def record_lookahead(out):
    """lookahead/: the three pullback modes, k = 1, around SGD, Adam and Lion."""
    lookahead_case(out, "lookahead-sgd-momentum", "SGD", {"lr": 0.1, "momentum": 0.9}, k=5, alpha=0.5, pullback="none", seed=34)
    lookahead_case(out, "lookahead-sgd-reset", "SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1}, k=3, alpha=0.8,
                        pullback="reset", seed=35)
    lookahead_case(out, "lookahead-sgd-pullback", "SGD", {"lr": 0.1, "momentum": 0.9}, k=4, alpha=0.3, pullback="pullback", seed=36)
    lookahead_case(out, "lookahead-adam-pullback", "Adam", {"lr": 0.01}, k=2, alpha=0.6, pullback="pullback", seed=37)
    lookahead_case(out, "lookahead-lion-k1", "Lion", {"lr": 0.01}, k=1, alpha=0.25, pullback="none", seed=38)


def record_reductions(out):
    """reductions/: Lamb, LARS and NovoGrad."""
    # Lamb: decay only when decoupled (weight_decouple=False decays nothing), fixed decay, rectify on
    # both sides of n_sma_threshold (-1 below it, 1 with degenerated_to_sgd), ρₜ past its series
    # (β₂ = 0.9 from step 10), adam (trust ratio 1), no grad averaging, maximize, adam_debias, adanorm
    # (no effect in 3.9.0), and the norms' edges: a zero parameter, a parameter norm above 10.
    reduction_case(out, "extra-lamb-coupled-no-decay", "Lamb", {"lr": 1e-2, "weight_decay": 0.1, "weight_decouple": False})
    reduction_case(out, "extra-lamb-fixed-decay", "Lamb", {"lr": 1e-2, "weight_decay": 0.1, "fixed_decay": True})
    reduction_case(out, "extra-lamb-rectify", "Lamb", {"lr": 1e-2, "weight_decay": 0.01, "rectify": True})
    reduction_case(out, "extra-lamb-rectify-sgd-threshold", "Lamb",
                        {"lr": 1e-2, "betas": [0.8, 0.9], "rectify": True, "degenerated_to_sgd": True, "n_sma_threshold": 4})
    # lr 1e-3 here: without grad averaging and with the trust ratio 1, d = m/(√v + ε) is about 1/√(1 − β₂)
    # per element, so lr 1e-2 steps by 3 at once, and the float β₂ (1 − 0.999f is 1.3e-5 off 0.001)
    # alone would move such a step by more than the tolerance.
    reduction_case(out, "extra-lamb-adam-maximize-no-averaging", "Lamb",
                        {"lr": 1e-3, "adam": True, "grad_averaging": False, "maximize": True, "adanorm": True, "adanorm_r": 0.9})
    reduction_case(out, "extra-lamb-adam-debias-eps", "Lamb", {"lr": 1e-2, "adam_debias": True, "eps": 1e-3, "weight_decay": 0.01})
    reduction_case(out, "extra-lamb-norm-edges", "Lamb", {"lr": 1e-2}, shapes=((7,), (150,), (33,)), param_scale=1.5, zero_params=(0,))

    # LARS: on matrices the trust ratio and decay, with nesterov, dampening, maximize, no momentum and
    # zero norms; on 1-D tensors neither, whatever the options.
    reduction_case(out, "extra-lars-matrix", "LARS", {"lr": 1e-2, "weight_decay": 1e-3, "trust_coefficient": 0.02, "MultiDimensional": True},
                        shapes=MATRICES)
    reduction_case(out, "extra-lars-matrix-nesterov-dampening-maximize", "LARS",
                        {"lr": 1e-2, "weight_decay": 1e-2, "momentum": 0.8, "dampening": 0.1, "nesterov": True, "maximize": True,
                         "trust_coefficient": 0.05, "MultiDimensional": True}, shapes=MATRICES)
    reduction_case(out, "extra-lars-matrix-no-momentum", "LARS", {"lr": 0.1, "momentum": 0.0, "trust_coefficient": 0.01, "MultiDimensional": True},
                        shapes=MATRICES)
    reduction_case(out, "extra-lars-matrix-zero-norms", "LARS", {"lr": 1e-2, "weight_decay": 1e-2, "MultiDimensional": True},
                        shapes=MATRICES, zero_params=(0,), zero_grads=(1,))
    reduction_case(out, "extra-lars-flat-options", "LARS",
                        {"lr": 1e-2, "weight_decay": 0.1, "dampening": 0.2, "nesterov": True, "maximize": True, "trust_coefficient": 0.5})

    # NovoGrad: L2 decay on the normalized gradient with grad averaging, decoupled decay with maximize,
    # fixed decay with adam_debias; the first step's initial moment takes the decay term too.
    reduction_case(out, "extra-novograd-l2-averaging", "NovoGrad", {"lr": 1e-2, "weight_decay": 0.01, "grad_averaging": True})
    reduction_case(out, "extra-novograd-decoupled-maximize", "NovoGrad", {"lr": 1e-2, "weight_decay": 0.1, "weight_decouple": True, "maximize": True})
    reduction_case(out, "extra-novograd-fixed-debias", "NovoGrad",
                        {"lr": 1e-2, "betas": [0.9, 0.99], "weight_decay": 0.01, "weight_decouple": True, "fixed_decay": True, "adam_debias": True,
                         "eps": 1e-6})


def sweep(OUT, N, SEED):
    """Records N random configurations of the element-wise optimizers in OUT (see the docstring)."""
    rnd = random.Random(SEED)
    def lr(lo=1e-4, hi=1e-1): return float('%.3g' % math.exp(rnd.uniform(math.log(lo), math.log(hi))))
    def b(): return rnd.random() < 0.5
    def wd(): return rnd.choice([0.0, 1e-4, 1e-2, 0.1])
    def beta1(): return rnd.choice([0.0, 0.3, 0.5, 0.8, 0.9, 0.95, 0.99])
    def beta2(): return rnd.choice([0.5, 0.9, 0.99, 0.999, 0.9999])
    gens = {
     'AdaBelief': lambda: dict(lr=lr(), betas=(beta1(), rnd.choice([0.99, 0.999, 0.9999])), weight_decay=wd(), weight_decouple=b(), fixed_decay=b(), rectify=b(), n_sma_threshold=rnd.choice([4,5,6,8]), degenerated_to_sgd=b(), ams_bound=b(), eps=rnd.choice([1e-16, 1e-8, 1e-6, 0.0]), maximize=b()),
     'Lion': lambda: dict(lr=lr(), betas=(beta1(), beta2()), weight_decay=wd(), weight_decouple=b(), fixed_decay=b(), maximize=b()),
     'Adan': lambda: dict(lr=lr(), betas=(beta1(), beta1(), rnd.choice([0.9, 0.99, 0.999, 1.0])), weight_decay=wd(), weight_decouple=b(), max_grad_norm=rnd.choice([0.0, 0.1, 1.0, 10.0]), eps=rnd.choice([1e-8, 1e-6]), maximize=b()),
     'Yogi': lambda: dict(lr=lr(), betas=(beta1(), beta2()), initial_accumulator=rnd.choice([1e-6, 1e-3, 0.5]), weight_decay=wd(), weight_decouple=b(), fixed_decay=b(), eps=rnd.choice([1e-3, 1e-6, 1e-8]), maximize=b()),
     'MADGRAD': lambda: dict(lr=lr(), momentum=rnd.choice([0.0, 0.5, 0.9, 0.99]), weight_decay=wd(), weight_decouple=b(), eps=rnd.choice([1e-6, 1e-8, 0.0]), maximize=b()),
     'ADOPT': lambda: dict(lr=lr(), betas=(beta1(), beta2()), weight_decay=wd(), weight_decouple=b(), fixed_decay=b(), eps=rnd.choice([1e-6, 1e-8, 1e-3]), maximize=b()),
     'ScheduleFreeAdamW': lambda: dict(lr=lr(), betas=(beta1(), beta2()), weight_decay=wd(), r=rnd.choice([0.0, 0.5, 1.0, 2.0]), weight_lr_power=rnd.choice([0.0, 1.0, 2.0, 3.0]), warmup_steps=rnd.choice([0, 1, 3, 10, 100]), decoupling_c=rnd.choice([0, 0, 10, 200]), eps=rnd.choice([1e-8, 1e-6]), maximize=b()),
     'ScheduleFreeSGD': lambda: dict(lr=lr(1e-3, 1.0), momentum=rnd.choice([0.0, 0.5, 0.9, 1.0]), weight_decay=wd(), r=rnd.choice([0.0, 0.5, 1.0]), weight_lr_power=rnd.choice([0.0, 1.0, 2.0]), warmup_steps=rnd.choice([0, 1, 3, 10]), maximize=b()),
    }
    made = 0
    while made < N:
        name = rnd.choice(list(gens))
        hyper = gens[name]()
        steps = rnd.choice([1, 2, 10, 30, 50])
        sizes = [rnd.choice([1, 2, 3, 7, 16, 17, 31, 64, 70]) for _ in range(rnd.choice([1, 2, 3]))]
        scale = rnd.choice([1e-4, 1e-2, 1.0, 1.0, 10.0])
        g = torch.Generator().manual_seed(rnd.randrange(1 << 30))
        params = [torch.randn(n, generator=g) * rnd.choice([0.1, 1.0, 5.0]) for n in sizes]
        grads = [[torch.randn(n, generator=g) * scale for n in sizes] for _ in range(steps)]
        tensors = [p.clone().requires_grad_(True) for p in params]
        try:
            expected = trajectory(getattr(po, name)(tensors, **hyper), tensors, grads)
        except Exception:
            continue
        if any(math.isnan(x) or math.isinf(x) for st in expected for t in st for x in t):
            continue
        case = {"format": FORMAT, "kind": "optimizer", "name": f"sweep{SEED}-{made:03d}-{name}",
                "optimizer": name, "hyper": plain(hyper),
                "steps": steps, "params": [p.tolist() for p in params],
                "grads": [[x.tolist() for x in st] for st in grads], "expected": expected}
        write(OUT, case)
        made += 1


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "sweep":
        sweep(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
        return
    root = os.path.join(sys.argv[1] if len(sys.argv) > 1 else HERE, "pytorch_optimizer")
    for folder, record in (("options", record_options), ("reductions", record_reductions),
                           ("schedule-free-modes", record_schedule_free_modes), ("lookahead", record_lookahead)):
        out = os.path.join(root, folder)
        os.makedirs(out, exist_ok=True)
        record(out)


if __name__ == "__main__":
    main()
