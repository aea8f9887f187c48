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
#include <stdint.h>
#include <string.h>

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

/*
 * bfloat16 storage (docs/storage.md): the same AdamW loop with some buffers kept as bfloat16 bits,
 * converted exactly as KernelGen converts them (runtime/Storage/StorageConversion.cs): widening
 * shifts the bits into a float's upper half; narrowing rounds to nearest, ties to even, and a NaN
 * keeps its sign and upper payload with the quiet bit set. Plain C, written the way gcc vectorizes
 * it best (the NaN test as a float comparison, which becomes one vector compare).
 */
static inline float peer_float_of(uint32_t bits)
{
    float value;
    memcpy(&value, &bits, sizeof value);
    return value;
}

/* value rounded to bfloat16, in the upper half of the result (the lower half is not cleared). */
static inline uint32_t peer_round_bf16_high(float value)
{
    uint32_t u;
    memcpy(&u, &value, sizeof u);
    uint32_t rounded = u + 0x7FFFu + ((u >> 16) & 1u);
    uint32_t quiet_nan = u | 0x00400000u;
    return value != value ? quiet_nan : rounded;
}

static inline float peer_widen_bf16(uint16_t bits) { return peer_float_of((uint32_t)bits << 16); }

static inline uint16_t peer_narrow_bf16(float value) { return (uint16_t)(peer_round_bf16_high(value) >> 16); }

/* The uniform part of AdamW, as kernelgen_peer_adamw computes it. */
struct peer_adamw_uniforms
{
    float one_minus_lr_times_weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, step_size, bias_correction2_sqrt, eps;
};

static struct peer_adamw_uniforms peer_adamw_prepare(float lr, float beta1, float beta2, float eps, float weight_decay, int step)
{
    struct peer_adamw_uniforms u;
    u.one_minus_lr_times_weight_decay = 1.0f - lr * weight_decay;
    u.beta1 = beta1;
    u.one_minus_beta1 = 1.0f - beta1;
    u.beta2 = beta2;
    u.one_minus_beta2 = 1.0f - beta2;
    u.step_size = lr / (1.0f - powf(beta1, (float)step));
    u.bias_correction2_sqrt = sqrtf(1.0f - powf(beta2, (float)step));
    u.eps = eps;
    return u;
}

/* AdamW's per-element part (kernelgen_peer_adamw's loop body) on widened values, updated in place. */
static inline void peer_adamw_element(const struct peer_adamw_uniforms *u, float g, float *p, float *m, float *v)
{
    float param = *p * u->one_minus_lr_times_weight_decay;
    float exp_avg = *m * u->beta1 + u->one_minus_beta1 * g;
    float exp_avg_sq = *v * u->beta2 + u->one_minus_beta2 * g * g;
    float denominator = sqrtf(exp_avg_sq) / u->bias_correction2_sqrt + u->eps;
    *p = param - u->step_size * exp_avg / denominator;
    *m = exp_avg;
    *v = exp_avg_sq;
}

/* AdamW with both moments in bfloat16, the parameter and gradient in float32. */
PEER_EXPORT void kernelgen_peer_adamw_states_bf16(float *restrict param, const float *restrict grad,
    uint16_t *restrict exp_avg, uint16_t *restrict exp_avg_sq, ptrdiff_t length,
    float lr, float beta1, float beta2, float eps, float weight_decay, int step)
{
    const struct peer_adamw_uniforms u = peer_adamw_prepare(lr, beta1, beta2, eps, weight_decay, step);
    for (ptrdiff_t i = 0; i < length; i++)
    {
        float p = param[i];
        float m = peer_widen_bf16(exp_avg[i]);
        float v = peer_widen_bf16(exp_avg_sq[i]);
        peer_adamw_element(&u, grad[i], &p, &m, &v);
        param[i] = p;
        exp_avg[i] = peer_narrow_bf16(m);
        exp_avg_sq[i] = peer_narrow_bf16(v);
    }
}

/* Elements 2j and 2j+1 of a bfloat16 buffer as one 32-bit word: the first in its lower half (little-endian). */
static inline uint32_t peer_load_pair(const uint16_t *bits, ptrdiff_t j)
{
    uint32_t word;
    memcpy(&word, bits + 2 * j, sizeof word);
    return word;
}

/* Rounds two values and stores them as elements 2j and 2j+1. */
static inline void peer_store_pair(uint16_t *bits, ptrdiff_t j, float first, float second)
{
    uint32_t word = (peer_round_bf16_high(first) >> 16) | (peer_round_bf16_high(second) & 0xFFFF0000u);
    memcpy(bits + 2 * j, &word, sizeof word);
}

/*
 * AdamW with the parameter, the gradient and both moments in bfloat16. Every buffer is 16-bit, so
 * the loop takes the elements in pairs, each pair one 32-bit word: widening is then one shift (the
 * first) or one mask (the second) and narrowing puts the two back with a shift, a mask and an or, with
 * no shuffle of 16-bit lanes: the fastest form gcc finds for it (twice the speed of the loop by elements).
 */
PEER_EXPORT void kernelgen_peer_adamw_all_bf16(uint16_t *restrict param, const uint16_t *restrict grad,
    uint16_t *restrict exp_avg, uint16_t *restrict exp_avg_sq, ptrdiff_t length,
    float lr, float beta1, float beta2, float eps, float weight_decay, int step)
{
    const struct peer_adamw_uniforms u = peer_adamw_prepare(lr, beta1, beta2, eps, weight_decay, step);
    for (ptrdiff_t j = 0; j < length / 2; j++)
    {
        uint32_t p = peer_load_pair(param, j), g = peer_load_pair(grad, j), m = peer_load_pair(exp_avg, j), v = peer_load_pair(exp_avg_sq, j);
        float p0 = peer_float_of(p << 16), m0 = peer_float_of(m << 16), v0 = peer_float_of(v << 16);
        float p1 = peer_float_of(p & 0xFFFF0000u), m1 = peer_float_of(m & 0xFFFF0000u), v1 = peer_float_of(v & 0xFFFF0000u);
        peer_adamw_element(&u, peer_float_of(g << 16), &p0, &m0, &v0);
        peer_adamw_element(&u, peer_float_of(g & 0xFFFF0000u), &p1, &m1, &v1);
        peer_store_pair(param, j, p0, p1);
        peer_store_pair(exp_avg, j, m0, m1);
        peer_store_pair(exp_avg_sq, j, v0, v1);
    }

    if (length % 2 != 0)
    {
        ptrdiff_t last = length - 1;
        float p = peer_widen_bf16(param[last]), m = peer_widen_bf16(exp_avg[last]), v = peer_widen_bf16(exp_avg_sq[last]);
        peer_adamw_element(&u, peer_widen_bf16(grad[last]), &p, &m, &v);
        param[last] = peer_narrow_bf16(p);
        exp_avg[last] = peer_narrow_bf16(m);
        exp_avg_sq[last] = peer_narrow_bf16(v);
    }
}
