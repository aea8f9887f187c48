using System;

namespace KernelGen.Conformance;

/// <summary>Runs <c>kind: "closure"</c> cases.</summary>
public sealed partial class ConformanceRunner
{
    /// <summary>
    /// The format's loop for closure cases: call <c>step(closure)</c>, then compare the tensor,
    /// the returned loss (with the parameters' tolerance) and the running count of closure calls (exactly).
    /// </summary>
    private string? RunClosureCase(ConformanceCase c)
    {
        ClosureCase closure = c.Closure!;
        if (!ClosureOptimizers.TryCreate(c.OptimizerName!, out LBFGS? optimizer))
        {
            return $"unknown closure optimizer {c.OptimizerName}";
        }

        foreach (ClosureHyperSetting setting in closure.Hyper)
        {
            bool known;
            try
            {
                known = setting.Text is null
                    ? optimizer.TrySetHyperparameter(setting.Name, setting.Number)
                    : optimizer.TrySetHyperparameter(setting.Name, setting.Text);
            }
            catch (ArgumentException e)
            {
                return $"hyper-parameter {setting.Name} refused: {e.Message}";
            }

            if (!known)
            {
                return UnknownOption(setting.Name, c.OptimizerName!);
            }
        }

        optimizer.Path = _options.Path;
        float[] parameters = (float[])c.Params[0].Clone();
        float[] gradient = new float[parameters.Length];
        optimizer.Add(parameters, gradient);
        Func<float> evaluate = () => ClosureFunctions.Evaluate(closure.Function, parameters, gradient);
        var actual = new[] { parameters };
        for (int s = 0; s < c.Steps; s++)
        {
            float loss;
            try
            {
                loss = optimizer.Step(evaluate);
            }
            catch (Exception e)
            {
                return $"step {s + 1}/{c.Steps} threw {e.GetType().Name}: {e.Message}";
            }

            string? failure = TrajectoryComparer.CompareTensors(s, c.Steps, actual, c.Expected[s], Tolerance.Parameters)
                ?? TrajectoryComparer.CompareValue("loss", s, c.Steps, loss, closure.Losses[s], Tolerance.Parameters);
            if (failure is not null)
            {
                return failure;
            }

            if (optimizer.FunctionEvaluations != closure.FunctionEvaluations[s])
            {
                return $"func_evals after step {s + 1}/{c.Steps}: expected {closure.FunctionEvaluations[s]}, actual {optimizer.FunctionEvaluations}";
            }
        }

        return null;
    }
}
