using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.CompilerServices;
using KernelGen.Internal;

namespace KernelGen;

/// <summary>
/// Parameter groups, as in PyTorch: each group is an optimizer instance with its own
/// hyper-parameters and tensors (for example weights with weight decay, biases without), and
/// <see cref="Step"/> steps them all. Schedulers take the groups and drive each one's learning rate.
/// </summary>
/// <example><code>
/// var decayed = new AdamW { WeightDecay = 0.01f };  decayed.Add(weights, weightGradients);
/// var plain = new AdamW { WeightDecay = 0f };       plain.Add(biases, biasGradients);
/// var groups = new ParameterGroups(decayed, plain);
/// groups.Step();
/// </code></example>
public sealed class ParameterGroups
{
    private readonly Optimizer[] _groups;
    private readonly KernelPath[] _paths;

    /// <summary>Combines the groups, stepped in the order given.</summary>
    /// <exception cref="ArgumentException">
    /// No group, a null group, the same optimizer twice, or two groups' tensors sharing memory (a
    /// parameter or state of one with any buffer of another; gradients may be shared). From then
    /// on, a tensor added to any group is checked against every group.
    /// </exception>
    public ParameterGroups(params Optimizer[] groups)
    {
        // The same rules as the groups a scheduler takes: one list, validated in one place.
        _groups = new KernelGen.Schedulers.OptimizerGroups(groups ?? throw new ArgumentNullException(nameof(groups))).Optimizers.ToArray();
        _paths = new KernelPath[_groups.Length];
        MemoryRanges domain = MemoryRanges.Join(_groups);
        foreach (Optimizer member in domain.Members)
        {
            member.MemoryDomain = domain;
        }
    }

    /// <summary>The groups, in stepping order.</summary>
    public IReadOnlyList<Optimizer> Groups => _groups;

    /// <summary>Sets the kernel path of every group.</summary>
    public KernelPath Path
    {
        set
        {
            foreach (Optimizer group in _groups)
            {
                group.Path = value;
            }
        }
    }

    /// <summary>
    /// Warms every group up (<see cref="Optimizer.Warm"/>) and compiles the groups' own step, so that
    /// the first <see cref="Step"/> runs optimized code without waiting for the JIT. Changes nothing;
    /// may run on any thread while another steps; allocates nothing after its first call.
    /// </summary>
    /// <exception cref="ArgumentException">A hyper-parameter of some group is out of its range; nothing was changed.</exception>
    public void Warm()
    {
        foreach (Optimizer group in _groups)
        {
            group.Warm();
        }

        WarmUp.PrepareOptimized(typeof(ParameterGroups));
    }

    /// <summary>
    /// Steps every tensor of every group once, all or nothing: first every group's checks
    /// (kernel path, hyper-parameters, step counts, then the gradients of each group whose
    /// <see cref="Optimizer.NonFiniteGradients"/> policy asks for it), and only then any update.
    /// A refusal changes nothing; a non-finite gradient under <see cref="NonFiniteGradientPolicy.Skip"/>
    /// in any group skips the whole step, counted in every group's <see cref="Optimizer.SkippedSteps"/>
    /// (as torch's GradScaler skips the optimizer's step). Allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentException">A hyper-parameter of some group is out of its range; nothing was changed.</exception>
    /// <exception cref="NonFiniteGradientException">
    /// A gradient is not finite in a group under <see cref="NonFiniteGradientPolicy.Throw"/>; its
    /// <see cref="NonFiniteGradientException.Tensor"/> numbers the model's tensors across groups; nothing was changed.
    /// </exception>
    /// <exception cref="InvalidOperationException">A tensor's step count is full, or a group is in another call; nothing was changed.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void Step()
    {
        int entered = 0;
        try
        {
            for (; entered < _groups.Length; entered++)
            {
                _groups[entered].EnterCall(OptimizerCall.Step);
            }

            for (int g = 0; g < _groups.Length; g++)
            {
                _paths[g] = _groups[g].PrepareStep();
            }

            if (!FindNonFiniteGradient())
            {
                foreach (Optimizer group in _groups)
                {
                    group.RecordSkip();
                }

                return;
            }

            foreach (Optimizer group in _groups)
            {
                group.BeginKernels();
            }

            for (int g = 0; g < _groups.Length; g++)
            {
                _groups[g].RunKernels(_paths[g]);
            }
        }
        finally
        {
            for (int g = 0; g < entered; g++)
            {
                _groups[g].ExitCall();
            }
        }
    }

    /// <summary>
    /// Opens a per-tensor step in every group, all or nothing: every group's checks first (those of
    /// <see cref="Optimizer.BeginStep"/>), and only then the steps are opened. Then
    /// <see cref="Optimizer.StepTensor(ParameterTensor)"/> on each group steps its tensors, and
    /// <see cref="EndStep"/> ends the step in every group. Each group applies its own non-finite
    /// policy to each of its tensors as it is stepped (the whole-step skip of <see cref="Step"/>
    /// needs every gradient first).
    /// </summary>
    /// <exception cref="ArgumentException">A hyper-parameter of some group is out of its range; nothing was changed.</exception>
    /// <exception cref="NotSupportedException">A group's rule needs every gradient before any update; nothing was changed.</exception>
    /// <exception cref="InvalidOperationException">A tensor's step count is full, or a group is in another call or an open step; nothing was changed.</exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void BeginStep()
    {
        int entered = 0;
        bool opened = false;
        try
        {
            for (; entered < _groups.Length; entered++)
            {
                _groups[entered].EnterCall(OptimizerCall.TensorStep);
            }

            for (int g = 0; g < _groups.Length; g++)
            {
                _paths[g] = _groups[g].CheckTensorStep();
            }

            for (int g = 0; g < _groups.Length; g++)
            {
                _groups[g].OpenStep(_paths[g]);
            }

            opened = true;
        }
        finally
        {
            for (int g = 0; !opened && g < entered; g++)
            {
                _groups[g].ExitCall();
            }
        }
    }

    /// <summary>Ends the per-tensor step <see cref="BeginStep"/> opened in every group, once every tensor of every group was stepped.</summary>
    /// <exception cref="InvalidOperationException">
    /// A group has no open step, or a tensor was not stepped yet (every step stays open: step the
    /// tensors the message names, then end it).
    /// </exception>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    public void EndStep()
    {
        for (int g = 0; g < _groups.Length; g++)
        {
            if (!_groups[g].IsStepOpen)
            {
                throw new InvalidOperationException($"Group {g} has no per-tensor step open: ParameterGroups.BeginStep opens one in every group. Nothing was changed.");
            }

            _groups[g].ThrowIfStepIncomplete(g);
        }

        foreach (Optimizer group in _groups)
        {
            group.EndStep();
        }
    }

    /// <summary>Applies each group's non-finite policy to its gradients: false when the whole step is to be skipped; throws under Throw.</summary>
    [MethodImpl(StepMethod.OptimizedFromFirstCall)]
    private bool FindNonFiniteGradient()
    {
        int offset = 0;
        for (int g = 0; g < _groups.Length; g++)
        {
            Optimizer group = _groups[g];
            NonFiniteGradient found = group.FindNonFiniteGradient();
            if (found.Exists)
            {
                if (group.NonFiniteGradients == NonFiniteGradientPolicy.Throw)
                {
                    throw found.ToException(offset, g);
                }

                return false;
            }

            offset += group.Tensors.Count;
        }

        return true;
    }
}
