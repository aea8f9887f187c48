using System;
using System.Collections.Generic;

namespace KernelGen.Disasm;

/// <summary>
/// The loop body of an ARM64 listing: every instruction from a label to a later branch back to it
/// (the JIT lays a loop out as body, compare, branch back), over all such backward branches.
/// Code before the loop (broadcasting the uniform values) and after it (the tail call to the scalar
/// loop) is not part of it.
/// </summary>
public sealed class Arm64Loop
{
    private Arm64Loop(IReadOnlyList<Arm64Instruction> body, int backEdges)
    {
        Body = body;
        BackEdges = backEdges;
    }

    /// <summary>The instructions inside some loop, in listing order.</summary>
    public IReadOnlyList<Arm64Instruction> Body { get; }

    /// <summary>How many backward branches the listing has: 0 means no loop was found.</summary>
    public int BackEdges { get; }

    /// <summary>Finds the loop body of <paramref name="listing"/>.</summary>
    public static Arm64Loop Find(JitListing listing)
    {
        var instructions = new List<Arm64Instruction>();
        var labels = new Dictionary<string, int>(StringComparer.Ordinal); // label -> index of the next instruction
        foreach (string line in listing.Lines)
        {
            if (Arm64Instruction.LabelOf(line) is { } label)
            {
                labels[label] = instructions.Count;
            }
            else if (Arm64Instruction.TryParse(line) is { } instruction)
            {
                instructions.Add(instruction);
            }
        }

        var inLoop = new bool[instructions.Count];
        int backEdges = 0;
        for (int i = 0; i < instructions.Count; i++)
        {
            if (instructions[i].BranchTarget is { } target && labels.TryGetValue(target, out int start) && start <= i)
            {
                backEdges++;
                for (int j = start; j <= i; j++)
                {
                    inLoop[j] = true;
                }
            }
        }

        var body = new List<Arm64Instruction>();
        for (int i = 0; i < instructions.Count; i++)
        {
            if (inLoop[i])
            {
                body.Add(instructions[i]);
            }
        }

        return new Arm64Loop(body, backEdges);
    }
}
