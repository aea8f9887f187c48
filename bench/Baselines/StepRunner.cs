using System;

namespace KernelGen.Bench.Baselines;

/// <summary>One contender of a row (KernelGen, a baseline, the roofline) and its own step count.</summary>
public sealed class StepRunner
{
    private readonly Action<int> _step;

    /// <summary>Wraps a step that takes the step count (1 on the first call).</summary>
    public StepRunner(string name, Action<int> step)
    {
        Name = name;
        _step = step;
    }

    /// <summary>The contender's name, as the table's column.</summary>
    public string Name { get; }

    /// <summary>The steps taken so far.</summary>
    public int Steps { get; private set; }

    /// <summary>Takes one step.</summary>
    public void Step() => _step(++Steps);
}
