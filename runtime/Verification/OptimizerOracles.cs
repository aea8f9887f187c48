using System;
using System.Collections.Generic;
using KernelGen.Internal;

namespace KernelGen.Verification;

/// <summary>
/// The two oracles the fused kernels are checked against: the scalar rule element by element and
/// the reference interpreter. Both step an optimizer as <see cref="Optimizer.Step"/> does
/// (validation, the non-finite policy, the step counts) and must give the same bits as its kernels.
/// They are for tests, not training: they are slow, and the interpreter allocates.
/// </summary>
public static class OptimizerOracles
{
    /// <summary>
    /// Updates every tensor once by calling the scalar update rule element by element: the
    /// first oracle for the kernels, which must give the same bits.
    /// </summary>
    /// <exception cref="NotSupportedException">The rule takes per-tensor reductions (use <see cref="StepWithInterpreter"/>).</exception>
    public static void StepWithRule(this Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.EnterCall(OptimizerCall.Step);
        try
        {
            if (!optimizer.TryBeginStep(out _))
            {
                return;
            }

            // Indexed, not foreach: an interface enumerator would allocate at every step (the soak test holds this oracle at 0 bytes at scale 1; a scale other than 1 copies each gradient).
            IReadOnlyList<ParameterTensor> tensors = optimizer.Tensors;
            for (int i = 0; i < tensors.Count; i++)
            {
                ParameterTensor tensor = tensors[i];
                var rule = new RuleBlock(optimizer);
                if (tensor.IsStored)
                {
                    optimizer.StepStaged(tensor, KernelPath.Scalar, rule, whole: true);
                }
                else
                {
                    rule.Run(tensor);
                }

                tensor.Step++;
            }
        }
        finally
        {
            optimizer.ExitCall();
        }
    }

    /// <summary>
    /// Updates every tensor once with the reference interpreter evaluating <see cref="Optimizer.Rule"/>
    /// in float: the second oracle, independent of the generator's analysis. Allocates.
    /// </summary>
    public static void StepWithInterpreter(this Optimizer optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        optimizer.EnterCall(OptimizerCall.Step);
        try
        {
            if (optimizer.TryBeginStep(out _))
            {
                Interpret(optimizer);
            }
        }
        finally
        {
            optimizer.ExitCall();
        }
    }

    private static void Interpret(Optimizer optimizer)
    {
        var interpreter = new InterpreterBlock(optimizer);
        foreach (ParameterTensor tensor in optimizer.Tensors)
        {
            if (tensor.IsStored)
            {
                optimizer.StepStaged(tensor, KernelPath.Scalar, interpreter, whole: true);
            }
            else
            {
                interpreter.Run(tensor);
            }

            tensor.Step++;
        }
    }

    /// <summary>The scalar rule on a float32 tensor (a stored tensor's float32 copy), its gradient unscaled.</summary>
    private readonly struct RuleBlock(Optimizer optimizer) : IStagedStep
    {
        public bool StepsUnstaged(ParameterTensor tensor) => false;

        public void Run(ParameterTensor tensor)
        {
            using (new UnscaledGradient(tensor, optimizer.GradientMultiplier))
            {
                optimizer.RunRule(tensor, tensor.Step + 1);
            }
        }
    }

    /// <summary>The interpreter on a float32 tensor (a stored tensor's float32 copy), its gradient unscaled.</summary>
    private readonly struct InterpreterBlock(Optimizer optimizer) : IStagedStep
    {
        public bool StepsUnstaged(ParameterTensor tensor) => false;

        private readonly UpdateRule _rule = optimizer.Rule;
        private readonly double[] _hyperparameters = ReadHyperparameters(optimizer);

        public void Run(ParameterTensor tensor)
        {
            var states = new float[tensor.StateCount][];
            for (int i = 0; i < states.Length; i++)
            {
                states[i] = tensor.State(i).ToArray();
            }

            var tensorStates = new float[tensor.TensorStateCount];
            for (int i = 0; i < tensorStates.Length; i++)
            {
                tensorStates[i] = tensor.TensorState(i);
            }

            using (new UnscaledGradient(tensor, optimizer.GradientMultiplier))
            {
                RuleInterpreter.Run<float>(_rule, tensor.Parameter.Span, tensor.Gradient.Span, states, tensorStates, _hyperparameters, tensor.Step + 1);
            }

            for (int i = 0; i < states.Length; i++)
            {
                states[i].CopyTo(tensor.State(i));
            }

            for (int i = 0; i < tensorStates.Length; i++)
            {
                tensor.TensorState(i) = tensorStates[i];
            }
        }

        private static double[] ReadHyperparameters(Optimizer optimizer)
        {
            var values = new double[optimizer.Rule.Hyperparameters.Count];
            optimizer.ReadHyperparameters(values);
            return values;
        }
    }

    /// <summary>The gradient unscaled in place as the kernels unscale it, restored afterwards.</summary>
    private readonly struct UnscaledGradient : IDisposable
    {
        private readonly ParameterTensor _tensor;
        private readonly float[]? _original;

        public UnscaledGradient(ParameterTensor tensor, float multiplier)
        {
            _tensor = tensor;
            _original = null;
            if (multiplier != 1f)
            {
                Span<float> gradient = tensor.Gradient.Span;
                _original = gradient.ToArray();
                for (int i = 0; i < gradient.Length; i++)
                {
                    gradient[i] *= multiplier;
                }
            }
        }

        public void Dispose() => _original?.CopyTo(_tensor.Gradient.Span);
    }
}
