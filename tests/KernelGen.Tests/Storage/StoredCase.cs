using System;
using Xunit;

namespace KernelGen.Tests.Storage;

/// <summary>One optimizer with one tensor in given storage types, its gradients drawn from a fixed seed.</summary>
internal sealed class StoredCase
{
    private readonly StateStorage _gradientType;

    // For a float32 twin: the types its values are rounded to by hand after each step.
    private readonly StateStorage _roundParameter;
    private readonly StateStorage _roundState;

    private StoredCase(Optimizer optimizer, ParameterTensor tensor, StateStorage gradientType, StateStorage roundParameter, StateStorage roundState)
    {
        Optimizer = optimizer;
        Tensor = tensor;
        _gradientType = gradientType;
        _roundParameter = roundParameter;
        _roundState = roundState;
    }

    public Optimizer Optimizer { get; }

    public ParameterTensor Tensor { get; }

    public static StoredCase Create(string name, StateStorage parameter, StateStorage gradient, StateStorage state, KernelPath path, bool stochastic) =>
        Create(name, parameter, gradient, state, path, stochastic, twin: false);

    /// <summary>A float32-only case whose <see cref="StepRoundedFloat32"/> rounds to the given types by hand: what a stored step means.</summary>
    public static StoredCase RoundedTwin(string name, StateStorage parameter, StateStorage gradient, StateStorage state) =>
        Create(name, parameter, gradient, state, KernelPath.Scalar, stochastic: false, twin: true);

    private static StoredCase Create(string name, StateStorage parameter, StateStorage gradient, StateStorage state, KernelPath path, bool stochastic, bool twin)
    {
        Optimizer optimizer = name switch
        {
            "AdamW" => new AdamW { LearningRate = 0.05f, WeightDecay = 0.01f },
            "AdamW amsgrad maximize" => new AdamW { LearningRate = 0.05f, WeightDecay = 0.01f, Amsgrad = true, Maximize = true },
            "Lion" => new Lion { LearningRate = 0.01f, WeightDecay = 0.01f },
            "SGD" => new SGD { LearningRate = 0.1f, Momentum = 0.9f, Nesterov = true },
            "Lamb" => new Lamb { LearningRate = 0.02f, WeightDecay = 0.01f },
            "Adagrad" => new Adagrad { LearningRate = 0.1f },
            "ASGD" => new ASGD { LearningRate = 0.05f, AveragingStart = 1 },
            _ => throw new ArgumentException(name),
        };
        optimizer.Path = path;
        optimizer.StateStorage = twin ? StateStorage.Float32 : state;
        optimizer.StochasticRoundingSeed = 7;
        var random = new Random(5);
        var initial = new float[Length];
        for (int i = 0; i < initial.Length; i++)
        {
            initial[i] = (float)(random.NextDouble() * 4 - 2);
        }

        if (twin)
        {
            Round(initial, parameter);
            ParameterTensor single = optimizer.Add(initial, new float[initial.Length]);
            return new StoredCase(optimizer, single, gradient, parameter, state);
        }

        ParameterTensor tensor = AddTensor(optimizer, parameter, gradient, initial);
        tensor.StochasticRounding = stochastic;
        return new StoredCase(optimizer, tensor, gradient, StateStorage.Float32, StateStorage.Float32);
    }

    public const int Length = Optimizer.StagingBlock * 2 + 37;

    /// <summary>Writes step <paramref name="step"/>'s gradient (the same values for every storage, rounded to its type).</summary>
    public void SetGradient(int step)
    {
        var random = new Random(100 + step);
        var values = new float[Tensor.Length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (float)(random.NextDouble() * 2 - 1) * (i % 97 == 0 ? 1e-6f : 1f);
        }

        switch (Tensor.GradientStorage)
        {
            case StateStorage.Float16:
                Array.ConvertAll(values, v => (Half)v).CopyTo(Tensor.StoredGradient<Half>());
                break;
            case StateStorage.BFloat16:
                Array.ConvertAll(values, v => (BFloat16)v).CopyTo(Tensor.StoredGradient<BFloat16>());
                break;
            default:
                Round(values, _gradientType); // a float32 twin's gradient holds the stored type's values
                values.CopyTo(Tensor.Gradient);
                break;
        }
    }

    /// <summary>A float32 twin's step: one float32 step, then the parameter and states rounded to the stored types, in place.</summary>
    public void StepRoundedFloat32()
    {
        Optimizer.Step();
        Round(Tensor.Parameter.Span, _roundParameter);
        for (int s = 0; s < Tensor.StateCount; s++)
        {
            Round(Tensor.State(s), _roundState);
        }
    }

    /// <summary>Rounds to nearest-even in <paramref name="type"/> with the types' public conversions, and widens back.</summary>
    private static void Round(Span<float> values, StateStorage type)
    {
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = type switch
            {
                StateStorage.Float16 => (float)(Half)values[i],
                StateStorage.BFloat16 => (float)(BFloat16)values[i],
                _ => values[i],
            };
        }
    }

    public ushort[] ParameterBits() => Bits(Tensor.ParameterStorage, () => Tensor.StoredParameter<Half>(), () => Tensor.StoredParameter<BFloat16>(), () => Tensor.Parameter);

    public static void AssertSame(StoredCase expected, StoredCase actual, string what)
    {
        AssertSame(expected.Widened(-1), actual.Widened(-1), what + ", parameter");
        for (int s = 0; s < expected.Tensor.StateCount; s++)
        {
            AssertSame(expected.Widened(s), actual.Widened(s), what + $", state {s}");
        }
    }

    private static void AssertSame(float[] expected, float[] actual, string what)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            if (!KernelGen.Testing.SameBits.Of(expected[i], actual[i]))
            {
                Assert.Fail($"{what}, element {i}: expected {expected[i]:R}, actual {actual[i]:R}");
            }
        }
    }

    /// <summary>The parameter (-1) or a state, widened to float32.</summary>
    public float[] Widened(int state)
    {
        StateStorage type = state < 0 ? Tensor.ParameterStorage : Tensor.StateStorage;
        return type switch
        {
            StateStorage.Float16 => Array.ConvertAll((state < 0 ? Tensor.StoredParameter<Half>() : Tensor.StoredState<Half>(state)).ToArray(), v => (float)v),
            StateStorage.BFloat16 => Array.ConvertAll((state < 0 ? Tensor.StoredParameter<BFloat16>() : Tensor.StoredState<BFloat16>(state)).ToArray(), v => (float)v),
            _ => (state < 0 ? Tensor.Parameter : Tensor.StateMemory(state)).ToArray(),
        };
    }

    private static ushort[] Bits(StateStorage type, Func<Memory<Half>> half, Func<Memory<BFloat16>> bfloat, Func<Memory<float>> single) => type switch
    {
        StateStorage.Float16 => Array.ConvertAll(half().ToArray(), BitConverter.HalfToUInt16Bits),
        StateStorage.BFloat16 => Array.ConvertAll(bfloat().ToArray(), v => v.Bits),
        _ => Array.ConvertAll(single().ToArray(), v => (ushort)(BitConverter.SingleToUInt32Bits(v) >> 16)),
    };

    private static ParameterTensor AddTensor(Optimizer optimizer, StateStorage parameter, StateStorage gradient, float[] initial)
    {
        Memory<float> g = new float[initial.Length];
        Memory<Half> gh = new Half[initial.Length];
        Memory<BFloat16> gb = new BFloat16[initial.Length];
        return parameter switch
        {
            StateStorage.Float16 => WithGradient(optimizer, new Memory<Half>(Array.ConvertAll(initial, v => (Half)v)), gradient, g, gh, gb),
            StateStorage.BFloat16 => WithGradient(optimizer, new Memory<BFloat16>(Array.ConvertAll(initial, v => (BFloat16)v)), gradient, g, gh, gb),
            _ => WithGradient(optimizer, new Memory<float>((float[])initial.Clone()), gradient, g, gh, gb),
        };
    }

    private static ParameterTensor WithGradient<T>(Optimizer optimizer, Memory<T> parameter, StateStorage gradient, Memory<float> g, Memory<Half> gh, Memory<BFloat16> gb) => gradient switch
    {
        StateStorage.Float16 => optimizer.Add(parameter, gh),
        StateStorage.BFloat16 => optimizer.Add(parameter, gb),
        _ => optimizer.Add(parameter, g),
    };
}
