using System;
using Tp = System.Numerics.Tensors.TensorPrimitives;

namespace KernelGen.Bench.Baselines;

/// <summary>ASGD composed from <c>TensorPrimitives</c> calls (torch.optim.ASGD's defaults: the average is a copy of the parameter until t₀).</summary>
public sealed class TensorPrimitivesASGD(TensorArrays arrays) : TensorPrimitivesBaseline(arrays, 1, "average")
{
    private readonly AsgdSchedule _schedule = new();

    /// <inheritdoc/>
    public override void Step(int step)
    {
        Span<float> param = Param, average = State(0), scratch = Scratch(0);
        _schedule.Begin(step);
        Tp.Multiply(param, 1f - Defaults.ASGD.Lambda * _schedule.Eta, param);
        Tp.MultiplyAdd(Grad, -_schedule.Eta, param, param);
        if (_schedule.Mu == 1f)
        {
            param.CopyTo(average);
        }
        else
        {
            Tp.Subtract(param, average, scratch);
            Tp.MultiplyAdd(scratch, _schedule.Mu, average, average);
        }

        _schedule.End(step);
    }
}
