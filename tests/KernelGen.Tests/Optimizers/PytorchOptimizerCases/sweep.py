"""Records N random pytorch_optimizer 3.9.0 configurations of the element-wise optimizers (random
hyper-parameters in their valid ranges, steps, tensor sizes, gradient scales) as conformance cases
in OUT, for `tools/Conformance OUT`. Not run by the tests: a way to look for settings where the
float rules leave the tolerance (see docs/optimizers.md). Cases where the reference raises or
gives non-finite values are not written.

    PYTHONPATH=/path/to/pytorch_optimizer-3.9.0 /usr/bin/python3 sweep.py OUT N SEED
"""
import json, math, os, random, sys

import torch

from generate import plain, po, trajectory

OUT = sys.argv[1]; N = int(sys.argv[2]); SEED = int(sys.argv[3])
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
    case = {"format": "kernelgen-conformance/1", "kind": "optimizer", "name": f"sweep{SEED}-{made:03d}-{name}",
            "optimizer": name, "hyper": plain(hyper),
            "steps": steps, "params": [p.tolist() for p in params],
            "grads": [[x.tolist() for x in st] for st in grads], "expected": expected}
    with open(os.path.join(OUT, case["name"] + ".json"), "w") as f:
        json.dump(case, f)
    made += 1
