"""Records extra pytorch_optimizer 3.9.0 cases for Lamb, LARS and NovoGrad (format
kernelgen-conformance/1): the option branches the shared cases (tests/conformance/pytorch_optimizer)
leave out, and the norms' edge cases (a zero tensor, a parameter norm over LAMB's clamp of 10).

LARS gives the trust ratio and the weight decay only to tensors of two or more dimensions; the
shared case records 1-D tensors. The cases named extra-lars-matrix-* record 2-D tensors (written
flat, row-major) and carry "MultiDimensional": true in their hyper, KernelGen's name for stating
that shape (it is not a constructor argument of the reference and is not passed to it).

Run with a PyTorch 1.13.1 (Debian 12's python3-torch is one) and pytorch_optimizer 3.9.0's
source on PYTHONPATH (its v3.9.0 tag; it imports torch 2's LRScheduler name, aliased below):
    PYTHONPATH=/path/to/pytorch_optimizer-3.9.0 /usr/bin/python3 generate.py
It rewrites the extra-*.json files next to it. The same recording of the shared cases' inputs
reproduces their expected values bit for bit.
"""
import json
import os

import torch
import torch.optim.lr_scheduler as S

S.LRScheduler = S._LRScheduler  # pytorch_optimizer 3.9.0 imports the torch 2 name; 1.13 has it underscored.

import pytorch_optimizer as po  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
REFERENCE = "pytorch_optimizer 3.9.0 on torch " + torch.__version__
KERNELGEN_ONLY = ("MultiDimensional",)


def case(name, optimizer, hyper, shapes=((5,), (17,), (33,)), steps=20, seed=0, param_scale=1.0, zero_params=(), zero_grads=()):
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
    written = {"format": "kernelgen-conformance/1", "kind": "optimizer", "name": name,
               "reference": REFERENCE + " " + optimizer + " (per-parameter path)", "optimizer": optimizer,
               "hyper": hyper, "steps": steps, "params": [p.flatten().tolist() for p in params],
               "grads": [[x.flatten().tolist() for x in step] for step in grads], "expected": expected}
    with open(os.path.join(HERE, name + ".json"), "w") as f:
        json.dump(written, f)


MATRICES = ((4, 5), (2, 17), (3, 11))

# Lamb: decay only when decoupled (weight_decouple=False decays nothing), fixed decay, rectify on
# both sides of n_sma_threshold (-1 below it, 1 with degenerated_to_sgd), ρₜ past its series
# (β₂ = 0.9 from step 10), adam (trust ratio 1), no grad averaging, maximize, adam_debias, adanorm
# (no effect in 3.9.0), and the norms' edges: a zero parameter, a parameter norm above 10.
case("extra-lamb-coupled-no-decay", "Lamb", {"lr": 1e-2, "weight_decay": 0.1, "weight_decouple": False})
case("extra-lamb-fixed-decay", "Lamb", {"lr": 1e-2, "weight_decay": 0.1, "fixed_decay": True})
case("extra-lamb-rectify", "Lamb", {"lr": 1e-2, "weight_decay": 0.01, "rectify": True})
case("extra-lamb-rectify-sgd-threshold", "Lamb",
     {"lr": 1e-2, "betas": [0.8, 0.9], "rectify": True, "degenerated_to_sgd": True, "n_sma_threshold": 4})
# lr 1e-3 here: without grad averaging and with the trust ratio 1, d = m/(√v + ε) is about 1/√(1 − β₂)
# per element, so lr 1e-2 steps by 3 at once, and the float β₂ (1 − 0.999f is 1.3e-5 off 0.001)
# alone would move such a step by more than the tolerance.
case("extra-lamb-adam-maximize-no-averaging", "Lamb",
     {"lr": 1e-3, "adam": True, "grad_averaging": False, "maximize": True, "adanorm": True, "adanorm_r": 0.9})
case("extra-lamb-adam-debias-eps", "Lamb", {"lr": 1e-2, "adam_debias": True, "eps": 1e-3, "weight_decay": 0.01})
case("extra-lamb-norm-edges", "Lamb", {"lr": 1e-2}, shapes=((7,), (150,), (33,)), param_scale=1.5, zero_params=(0,))

# LARS: on matrices the trust ratio and decay, with nesterov, dampening, maximize, no momentum and
# zero norms; on 1-D tensors neither, whatever the options.
case("extra-lars-matrix", "LARS", {"lr": 1e-2, "weight_decay": 1e-3, "trust_coefficient": 0.02, "MultiDimensional": True},
     shapes=MATRICES)
case("extra-lars-matrix-nesterov-dampening-maximize", "LARS",
     {"lr": 1e-2, "weight_decay": 1e-2, "momentum": 0.8, "dampening": 0.1, "nesterov": True, "maximize": True,
      "trust_coefficient": 0.05, "MultiDimensional": True}, shapes=MATRICES)
case("extra-lars-matrix-no-momentum", "LARS", {"lr": 0.1, "momentum": 0.0, "trust_coefficient": 0.01, "MultiDimensional": True},
     shapes=MATRICES)
case("extra-lars-matrix-zero-norms", "LARS", {"lr": 1e-2, "weight_decay": 1e-2, "MultiDimensional": True},
     shapes=MATRICES, zero_params=(0,), zero_grads=(1,))
case("extra-lars-flat-options", "LARS",
     {"lr": 1e-2, "weight_decay": 0.1, "dampening": 0.2, "nesterov": True, "maximize": True, "trust_coefficient": 0.5})

# NovoGrad: L2 decay on the normalized gradient with grad averaging, decoupled decay with maximize,
# fixed decay with adam_debias; the first step's initial moment takes the decay term too.
case("extra-novograd-l2-averaging", "NovoGrad", {"lr": 1e-2, "weight_decay": 0.01, "grad_averaging": True})
case("extra-novograd-decoupled-maximize", "NovoGrad", {"lr": 1e-2, "weight_decay": 0.1, "weight_decouple": True, "maximize": True})
case("extra-novograd-fixed-debias", "NovoGrad",
     {"lr": 1e-2, "betas": [0.9, 0.99], "weight_decay": 0.01, "weight_decouple": True, "fixed_decay": True, "adam_debias": True,
      "eps": 1e-6})
