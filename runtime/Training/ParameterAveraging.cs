namespace KernelGen;

/// <summary>
/// An exponential moving average of parameters (as EMA utilities keep for evaluation):
/// average = parameter on the first step, then average = decay·average + (1 − decay)·parameter.
/// Register each average buffer with the parameters it follows: <c>ema.Add(average, parameters)</c>;
/// <see cref="Optimizer.Step"/> updates every average in one fused pass.
/// </summary>
[Optimizer]
public sealed partial class ExponentialMovingAverage
{
    /// <summary>How much of the average each step keeps.</summary>
    [Hyperparameter("decay", Minimum = 0, Maximum = 1)]
    public float Decay { get; set; } = 0.999f;

    [UpdateRule]
    private static void Update(ref float average, float parameter, float decay, [Step] int step)
    {
        average = step == 1 ? parameter : decay * average + (1f - decay) * parameter;
    }
}

/// <summary>
/// The equal-weight running average of parameters of stochastic weight averaging
/// (<c>torch.optim.swa_utils.AveragedModel</c>'s default): average = parameter on the first step,
/// then average = average + (parameter − average) / step.
/// </summary>
[Optimizer]
public sealed partial class StochasticWeightAverage
{
    [UpdateRule]
    private static void Update(ref float average, float parameter, [Step] int step)
    {
        average = step == 1 ? parameter : average + (parameter - average) / step;
    }
}
