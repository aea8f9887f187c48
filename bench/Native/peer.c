/*
 * The native peer of the quick table: the fused AdamW and SGD-with-momentum loops written in C,
 * compiled by quick at run time with
 *     cc -O3 -march=native -fno-math-errno -ffp-contract=off -shared -fPIC
 * and timed on the same buffers as KernelGen.
 *
 * Each function is the scalar form of its update rule (runtime/Optimizers/AdamW.cs, SGD.cs):
 * the same arithmetic in the same order, in float. The rule's uniform part (everything that does
 * not depend on the element) is computed once per call, before the loop, in float and in the
 * order the generated Prepare computes it; the loop then evaluates the per-element part exactly
 * as the rule writes it. -ffp-contract=off keeps gcc from fusing a multiply and an add into an
 * FMA (the kernels round after each operation, as C# does); -fno-math-errno lets sqrtf become
 * the vector square root. No -ffast-math: nothing is reassociated, so the results are the
 * kernels' bits.
 */
#include <math.h>
#include <stddef.h>

#if defined(_WIN32)
#define PEER_EXPORT __declspec(dllexport)
#else
#define PEER_EXPORT __attribute__((visibility("default")))
#endif

/*
 * AdamW as torch.optim.AdamW with amsgrad=False, maximize=False (the settings quick measures):
 *     param    *= 1 - lr*weight_decay
 *     exp_avg    = exp_avg*beta1 + (1 - beta1)*g
 *     exp_avg_sq = exp_avg_sq*beta2 + (1 - beta2)*g*g
 *     param     -= step_size*exp_avg / (sqrt(exp_avg_sq)/bias_correction2_sqrt + eps)
 * with step_size = lr/(1 - beta1^t) and bias_correction2_sqrt = sqrt(1 - beta2^t), in float
 * (powf of the step converted to float, as MathF.Pow(beta, step) in the rule).
 */
PEER_EXPORT void kernelgen_peer_adamw(float *restrict param, const float *restrict grad,
    float *restrict exp_avg, float *restrict exp_avg_sq, ptrdiff_t length,
    float lr, float beta1, float beta2, float eps, float weight_decay, int step)
{
    /* The uniform part, in the rule's order. */
    const float one_minus_lr_times_weight_decay = 1.0f - lr * weight_decay;
    const float one_minus_beta1 = 1.0f - beta1;
    const float one_minus_beta2 = 1.0f - beta2;
    const float step_size = lr / (1.0f - powf(beta1, (float)step));
    const float bias_correction2_sqrt = sqrtf(1.0f - powf(beta2, (float)step));

    for (ptrdiff_t i = 0; i < length; i++)
    {
        float g = grad[i];
        float p = param[i] * one_minus_lr_times_weight_decay;
        float m = exp_avg[i] * beta1 + one_minus_beta1 * g;
        float v = exp_avg_sq[i] * beta2 + one_minus_beta2 * g * g;
        float denominator = sqrtf(v) / bias_correction2_sqrt + eps;
        param[i] = p - step_size * m / denominator;
        exp_avg[i] = m;
        exp_avg_sq[i] = v;
    }
}

/*
 * SGD as torch.optim.SGD with a momentum, nesterov=False, maximize=False and no weight decay
 * (the settings quick measures):
 *     momentum_buffer = g on the first step, else momentum*momentum_buffer + (1 - dampening)*g
 *     param          -= lr*momentum_buffer
 */
PEER_EXPORT void kernelgen_peer_sgd(float *restrict param, const float *restrict grad,
    float *restrict momentum_buffer, ptrdiff_t length,
    float lr, float momentum, float dampening, int step)
{
    /* The uniform part, in the rule's order. */
    const float one_minus_dampening = 1.0f - dampening;

    if (step == 1)
    {
        for (ptrdiff_t i = 0; i < length; i++)
        {
            float b = grad[i];
            momentum_buffer[i] = b;
            param[i] = param[i] - lr * b;
        }
    }
    else
    {
        for (ptrdiff_t i = 0; i < length; i++)
        {
            float b = momentum * momentum_buffer[i] + one_minus_dampening * grad[i];
            momentum_buffer[i] = b;
            param[i] = param[i] - lr * b;
        }
    }
}
