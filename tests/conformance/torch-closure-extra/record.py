"""Records extra kind "closure" conformance cases from torch.optim.LBFGS (PyTorch 1.13).

Run from this folder with a Python that has torch 1.13.1:  python3 record.py
Each configuration below is recorded in float32 (autograd gradients); the same run is replayed
twice, in float64 and in float32 with the gradient written out by hand (other rounding, as another
implementation's closure has), and a case is kept only when both replays stay under 30% of the
format's tolerance at every step and make the same number of closure calls, so the case checks the
algorithm, not rounding luck (a line search decides on differences of losses, where one float32
unit can change a branch). Seeds are tried in order until one passes that filter.
"""
import json
import torch

FORMAT = "kernelgen-conformance/1"
ABS, REL = 1e-5, 1e-5

# name, function, n, hyper, steps, initial scale
CONFIGS = [
    # fixed steps; more iterations than history_size: the history wraps around
    ("lbfgs-quadratic12-plain-h2-wrap", "quadratic", 12, {"lr": 0.8, "max_iter": 10, "history_size": 2}, 4, 1.0),
    # strong Wolfe on a long Rosenbrock (n > 16: lane blocks and a tail); history wraps
    ("lbfgs-rosenbrock21-wolfe-h3-wrap", "rosenbrock", 21, {"lr": 1, "max_iter": 25, "history_size": 3, "line_search_fn": "strong_wolfe"}, 4, 0.5),
    # torch's defaults but the line search: max_iter 20, max_eval 25, history 100
    ("lbfgs-rosenbrock8-wolfe-defaults", "rosenbrock", 8, {"line_search_fn": "strong_wolfe"}, 3, 0.5),
    # max_eval exits in the middle of an iteration budget, with and without the line search
    ("lbfgs-rosenbrock5-wolfe-maxeval7", "rosenbrock", 5, {"lr": 1, "max_iter": 20, "max_eval": 7, "line_search_fn": "strong_wolfe"}, 4, 0.5),
    ("lbfgs-quadratic9-plain-maxeval4", "quadratic", 9, {"lr": 0.5, "max_iter": 20, "max_eval": 4}, 5, 1.0),
    # tolerance exits: a coarse change tolerance, a coarse gradient tolerance
    ("lbfgs-quadratic6-plain-tolchange", "quadratic", 6, {"lr": 0.7, "max_iter": 30, "tolerance_change": 1e-3}, 3, 1.0),
    ("lbfgs-quadratic33-wolfe-tolgrad", "quadratic", 33, {"lr": 1, "max_iter": 40, "tolerance_grad": 1e-2, "history_size": 6, "line_search_fn": "strong_wolfe"}, 3, 1.0),
    # a small lr under the line search: the bracketing phase extrapolates (cubic with bounds)
    ("lbfgs-rosenbrock7-wolfe-extrapolate", "rosenbrock", 7, {"lr": 0.02, "max_iter": 12, "history_size": 4, "line_search_fn": "strong_wolfe"}, 3, 0.5),
    # a small gradient: 1 / |g|_1 >= 1, so the first step is lr itself
    ("lbfgs-quadratic4-plain-smallgrad", "quadratic", 4, {"lr": 0.9, "max_iter": 6}, 3, 0.02),
]


def function_spec(name, n, generator):
    if name == "rosenbrock":
        a = float(torch.empty(()).uniform_(0.5, 1.5, generator=generator).to(torch.float32))
        b = float(torch.empty(()).uniform_(2.0, 20.0, generator=generator).to(torch.float32))
        return {"name": name, "a": a, "b": b}
    d = torch.empty(n).uniform_(0.5, 1.5, generator=generator)
    c = torch.randn(n, generator=generator)
    return {"name": name, "d": [float(v) for v in d], "c": [float(v) for v in c]}


def closure_for(spec, x, dtype, by_hand=False):
    if spec["name"] == "rosenbrock":
        a, b = spec["a"], spec["b"]

        def loss_of(p):
            return (b * (p[1:] - p[:-1] ** 2) ** 2 + (a - p[:-1]) ** 2).sum()

        def by_hand_of(p):
            u = p[1:] - p[:-1] * p[:-1]
            v = a - p[:-1]
            g = torch.zeros_like(p)
            g[:-1] += -4 * b * p[:-1] * u - 2 * v
            g[1:] += 2 * b * u
            return torch.flip(b * u * u + v * v, [0]).sum(), g
    else:
        d = torch.tensor(spec["d"], dtype=torch.float32).to(dtype)
        c = torch.tensor(spec["c"], dtype=torch.float32).to(dtype)

        def loss_of(p):
            r = p - c
            return (0.5 * d * r ** 2 + 0.1 * r ** 4).sum()

        def by_hand_of(p):
            r = p - c
            square = r * r
            return torch.flip(0.5 * d * square + 0.1 * (square * square), [0]).sum(), d * r + 0.4 * (square * r)

    def closure():
        if by_hand:
            with torch.no_grad():
                loss, g = by_hand_of(x)
            x.grad = g
            return loss
        if x.grad is not None:
            x.grad.zero_()
        loss = loss_of(x)
        loss.backward()
        return loss

    return closure


def run(spec, initial, hyper, steps, dtype, by_hand=False):
    x = torch.tensor(initial, dtype=torch.float32).to(dtype).requires_grad_(True)
    optimizer = torch.optim.LBFGS([x], **hyper)
    closure = closure_for(spec, x, dtype, by_hand)
    expected, losses, evals = [], [], []
    for _ in range(steps):
        loss = optimizer.step(closure)
        expected.append([[float(v) for v in x.detach().to(torch.float32)]])
        losses.append(float(loss))
        evals.append(optimizer.state[x]["func_evals"])
    return expected, losses, evals


def robust(f32, f64):
    (e32, l32, n32), (e64, l64, n64) = f32, f64
    if n32 != n64:
        return False
    for s in range(len(e32)):
        values = list(zip(e32[s][0], e64[s][0])) + [(l32[s], l64[s])]
        for a, b in values:
            if not abs(a - b) <= 0.3 * (ABS + REL * abs(a)):
                return False
    return True


def main():
    for name, function, n, hyper, steps, scale in CONFIGS:
        for seed in range(200):
            generator = torch.Generator().manual_seed(seed)
            spec = function_spec(function, n, generator)
            initial = [float(v) for v in (scale * torch.randn(n, generator=generator)).to(torch.float32)]
            if function == "quadratic":
                # start near the minimum, at a distance set by the scale
                initial = [float(torch.tensor(c + v, dtype=torch.float32)) for c, v in zip(spec["c"], initial)]
            f32 = run(spec, initial, hyper, steps, torch.float32)
            f64 = run(spec, initial, hyper, steps, torch.float64)
            by_hand = run(spec, initial, hyper, steps, torch.float32, by_hand=True)
            if not robust(f32, f64) or not robust(f32, by_hand):
                continue
            expected, losses, evals = f32
            case = {
                "format": FORMAT, "kind": "closure", "name": name,
                "reference": f"torch.optim.LBFGS, PyTorch {torch.__version__} (CPU)",
                "optimizer": "LBFGS", "hyper": hyper, "function": spec, "params": [initial],
                "steps": steps, "expected": expected, "losses": losses, "func_evals": evals,
                "seed": seed,
            }
            with open(name + ".json", "w") as file:
                json.dump(case, file, separators=(",", ":"))
            print(f"{name}: seed {seed}, func_evals {evals}")
            break
        else:
            print(f"{name}: no seed passed the float64 replay filter")


if __name__ == "__main__":
    main()
