using System;

namespace KernelGen.Conformance;

/// <summary>
/// A case's tensors registered with an optimizer, each parameter and gradient in the storage type
/// the case's <c>dtypes</c> names (float32 when it names none): gradients are written in that type,
/// parameters read back widened to float32 for the comparison.
/// </summary>
internal sealed class CaseTensors
{
    private readonly StateStorage _parameterType;
    private readonly StateStorage _gradientType;
    private readonly Array[] _parameters;
    private readonly Array[] _gradients;
    private readonly float[][] _widened;

    private CaseTensors(StateStorage parameterType, StateStorage gradientType, int count)
    {
        _parameterType = parameterType;
        _gradientType = gradientType;
        _parameters = new Array[count];
        _gradients = new Array[count];
        _widened = new float[count][];
    }

    /// <summary>
    /// Sets the state storage and registers a copy of each initial tensor with a gradient buffer;
    /// throws what the library throws, with the tensor's index in <paramref name="tensor"/>.
    /// </summary>
    public static CaseTensors Register(ConformanceCase c, Optimizer optimizer, out int tensor)
    {
        CaseDTypes types = c.DTypes ?? new CaseDTypes(StateStorage.Float32, StateStorage.Float32, StateStorage.Float32);
        tensor = -1;
        optimizer.StateStorage = types.State;
        var tensors = new CaseTensors(types.Param, types.Grad, c.Params.Length);
        for (tensor = 0; tensor < c.Params.Length; tensor++)
        {
            float[] initial = c.Params[tensor];
            tensors._parameters[tensor] = Narrow(types.Param, initial);
            tensors._gradients[tensor] = Narrow(types.Grad, new float[initial.Length]);
            tensors._widened[tensor] = new float[initial.Length];
            tensors.Add(optimizer, tensor);
        }

        return tensors;
    }

    /// <summary>Writes step <c>s</c>'s gradients (exactly representable in their type, so rounding changes nothing).</summary>
    public void SetGradients(float[][] gradients)
    {
        for (int i = 0; i < gradients.Length; i++)
        {
            Array.Copy(Narrow(_gradientType, gradients[i]), _gradients[i], gradients[i].Length);
        }
    }

    /// <summary>The parameters now, widened to float32 (exact).</summary>
    public float[][] Parameters()
    {
        for (int i = 0; i < _parameters.Length; i++)
        {
            float[] widened = _widened[i];
            switch (_parameters[i])
            {
                case float[] values:
                    values.CopyTo(widened, 0);
                    break;
                case Half[] values:
                    for (int j = 0; j < values.Length; j++)
                    {
                        widened[j] = (float)values[j];
                    }

                    break;
                case BFloat16[] values:
                    for (int j = 0; j < values.Length; j++)
                    {
                        widened[j] = (float)values[j];
                    }

                    break;
            }
        }

        return _widened;
    }

    private void Add(Optimizer optimizer, int i)
    {
        switch (_parameters[i])
        {
            case float[] parameter:
                AddWith(optimizer, new Memory<float>(parameter), _gradients[i]);
                break;
            case Half[] parameter:
                AddWith(optimizer, new Memory<Half>(parameter), _gradients[i]);
                break;
            default:
                AddWith(optimizer, new Memory<BFloat16>((BFloat16[])_parameters[i]), _gradients[i]);
                break;
        }
    }

    private static void AddWith<TParameter>(Optimizer optimizer, Memory<TParameter> parameter, Array gradient)
    {
        switch (gradient)
        {
            case float[] values:
                optimizer.Add(parameter, new Memory<float>(values));
                break;
            case Half[] values:
                optimizer.Add(parameter, new Memory<Half>(values));
                break;
            default:
                optimizer.Add(parameter, new Memory<BFloat16>((BFloat16[])gradient));
                break;
        }
    }

    /// <summary>The values in <paramref name="type"/>, rounded to nearest, ties to even.</summary>
    private static Array Narrow(StateStorage type, float[] values) => type switch
    {
        StateStorage.Float16 => Array.ConvertAll(values, v => (Half)v),
        StateStorage.BFloat16 => Array.ConvertAll(values, v => (BFloat16)v),
        _ => (float[])values.Clone(),
    };
}
