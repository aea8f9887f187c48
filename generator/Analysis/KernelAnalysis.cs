using System.Collections.Generic;
using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Analysis;

/// <summary>
/// Everything decided about one rule before a line is written: the reductions taken out of it,
/// the plan of its uniform and varying work, and the software pipeline of its vector loops.
/// The emitter only writes this out.
/// </summary>
internal sealed class KernelAnalysis
{
    private KernelAnalysis(RuleModel rule, KernelPlan plan, List<ReductionInfo> reductions, SoftwarePipeline? pipeline)
    {
        Rule = rule;
        Plan = plan;
        Reductions = reductions;
        Pipeline = pipeline;
    }

    /// <summary>The rule as written (reductions in place): what the IR describes.</summary>
    public RuleModel Rule { get; }

    /// <summary>The plan of the rule with its reductions replaced by uniform names.</summary>
    public KernelPlan Plan { get; }

    /// <summary>The per-tensor reductions, in the order the rule takes them; empty for a one-pass rule.</summary>
    public List<ReductionInfo> Reductions { get; }

    /// <summary>The software-pipelined form of the vector loops, or null when they run plain.</summary>
    public SoftwarePipeline? Pipeline { get; }

    /// <summary>
    /// Whether the uniform part depends on the step only, so the optimizer prepares it once for
    /// all tensors at the same step: not with per-tensor state or per-tensor reductions.
    /// </summary>
    public bool PreparesOncePerStep => Reductions.Count == 0 && !Rule.Parameters.Any(p => p.Role == ParameterRole.TensorState);

    public static KernelAnalysis Analyze(RuleModel rule)
    {
        RuleModel planned = rule;
        var reductions = new List<ReductionInfo>();
        if (Analysis.Reductions.Has(rule))
        {
            var names = new NameScope();
            foreach (string name in rule.Parameters.Select(p => p.Name).Concat(StmtTree.Locals(rule.Body).Select(l => l.Name)).Append(rule.ClassName))
            {
                names.Reserve(name);
            }

            (planned, reductions) = Analysis.Reductions.Rewrite(rule, names);
        }

        KernelPlan plan = KernelPlanner.Plan(planned, new Classifier(planned));
        foreach (ReductionInfo reduction in reductions)
        {
            plan.Names.Reserve(reduction.ResultName);
        }

        return new KernelAnalysis(rule, plan, reductions, SoftwarePipeline.Build(plan));
    }
}
