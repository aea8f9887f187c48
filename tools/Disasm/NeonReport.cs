using System;
using System.Collections.Generic;
using System.Linq;

namespace KernelGen.Disasm;

/// <summary>
/// What the loop of one ARM64 listing does, counted for the NEON checks: 128-bit loads and stores,
/// float operations on <c>.4s</c> lanes, square roots, divisions, fused multiply-adds, calls, and
/// every instruction that is not whole-vector NEON work (each a <see cref="Violations"/> entry).
/// </summary>
public sealed class NeonReport
{
    private NeonReport(Arm64Loop loop)
    {
        Loop = loop;
        var violations = new List<string>();
        var notes = new List<string>();
        if (loop.BackEdges == 0)
        {
            violations.Add("no loop found (no backward branch)");
        }

        foreach (Arm64Instruction instruction in loop.Body)
        {
            if (instruction.IsCall)
            {
                Calls++;
                violations.Add($"call inside the loop: {instruction}");
            }

            if (instruction.IsFusedMultiplyAdd)
            {
                FusedMultiplyAdds++;
            }

            if (instruction.IsMemoryAccess)
            {
                CountMemoryAccess(instruction, violations, notes);
            }

            if (instruction.IsFloatingPoint && instruction.HasOperand(Arm64OperandKind.Vector128))
            {
                VectorFloatOps++;
                if (instruction.Operands.Any(o => o.EndsWith(".4s", StringComparison.Ordinal)))
                {
                    FloatOps4S++;
                    SquareRoots += instruction.Mnemonic == "fsqrt" ? 1 : 0;
                    Divisions += instruction.Mnemonic == "fdiv" ? 1 : 0;
                }
            }

            if (instruction.HasOperand(Arm64OperandKind.Scalar) && !instruction.IsMemoryAccess)
            {
                violations.Add($"scalar {(instruction.IsFloatingPoint ? "float" : "SIMD")} operation: {instruction}");
            }

            if (instruction.HasOperand(Arm64OperandKind.Lane))
            {
                violations.Add($"one lane at a time: {instruction}");
            }

            if (instruction.HasOperand(Arm64OperandKind.Vector64))
            {
                violations.Add($"half-width (64-bit) vector: {instruction}");
            }

            if (instruction.HasOperand(Arm64OperandKind.Sve))
            {
                violations.Add($"SVE, not NEON: {instruction}");
            }
        }

        Violations = violations;
        Notes = notes;
    }

    /// <summary>The loop the counts are taken over.</summary>
    public Arm64Loop Loop { get; }

    /// <summary>Loads of whole 128-bit registers (<c>ldr q</c>, <c>ldp q</c>, <c>ld1 {.4s}</c>).</summary>
    public int VectorLoads { get; private set; }

    /// <summary>Stores of whole 128-bit registers (<c>str q</c>, <c>stp q</c>, <c>st1 {.4s}</c>).</summary>
    public int VectorStores { get; private set; }

    /// <summary>Floating-point instructions on whole 128-bit vectors, any arrangement.</summary>
    public int VectorFloatOps { get; private set; }

    /// <summary>Floating-point instructions on four single-precision lanes (<c>.4s</c>).</summary>
    public int FloatOps4S { get; private set; }

    /// <summary><c>fsqrt vN.4s</c> instructions.</summary>
    public int SquareRoots { get; private set; }

    /// <summary><c>fdiv vN.4s</c> instructions.</summary>
    public int Divisions { get; private set; }

    /// <summary>Fused multiply-adds in any form (see <see cref="Arm64Instruction.IsFusedMultiplyAdd"/>).</summary>
    public int FusedMultiplyAdds { get; private set; }

    /// <summary>
    /// Loads into the zero register (<c>ldrsb wzr, [x3, x6]</c>): the JIT's null check where it
    /// dropped a load whose value is unused but must still fault on a null reference. They move no
    /// data, so they are no violation; they are listed in <see cref="Notes"/> because they point at
    /// a load the generated code need not make.
    /// </summary>
    public int NullChecks { get; private set; }

    /// <summary>Calls and jumps out of the loop (see <see cref="Arm64Instruction.IsCall"/>).</summary>
    public int Calls { get; private set; }

    /// <summary>Everything in the loop that is not whole-vector NEON work, one line each.</summary>
    public IReadOnlyList<string> Violations { get; }

    /// <summary>Observations that are not violations (see <see cref="NullChecks"/>), one line each.</summary>
    public IReadOnlyList<string> Notes { get; }

    /// <summary>Whether the loop is NEON all the way: a loop, no violation, no call.</summary>
    public bool IsNeonAllTheWay => Violations.Count == 0;

    /// <summary>Analyzes the loop of an ARM64 listing.</summary>
    /// <exception cref="ArgumentException">The listing is not ARM64 code.</exception>
    public static NeonReport Analyze(JitListing listing) => listing.IsArm64
        ? new NeonReport(Arm64Loop.Find(listing))
        : throw new ArgumentException($"{listing} is not an ARM64 listing.", nameof(listing));

    /// <summary>One line of counts, for the disasm command and test messages.</summary>
    public string Summary =>
        $"loop: {Loop.Body.Count} instructions; 128-bit loads {VectorLoads}, stores {VectorStores}; " +
        $".4s float ops {FloatOps4S} (fsqrt {SquareRoots}, fdiv {Divisions}); FMA {FusedMultiplyAdds}; calls {Calls}; " +
        (NullChecks > 0 ? $"null checks {NullChecks}; " : "") +
        (IsNeonAllTheWay ? "NEON all the way" : $"NOT NEON: {Violations.Count} finding(s)");

    private void CountMemoryAccess(Arm64Instruction instruction, List<string> violations, List<string> notes)
    {
        // The data registers are the operands before the address; all must be whole vectors.
        var data = new List<Arm64OperandKind>();
        foreach (string operand in instruction.Operands)
        {
            if (Arm64Instruction.Classify(operand) == Arm64OperandKind.Address)
            {
                break;
            }

            data.AddRange(Arm64Instruction.Registers(operand).Select(Arm64Instruction.Classify));
        }

        if (!instruction.IsStore && instruction.Operands.Count > 0 && instruction.Operands[0] is "wzr" or "xzr")
        {
            NullChecks++;
            notes.Add($"null check, a load whose value is unused: {instruction}");
        }
        else if (data.Count > 0 && data.All(kind => kind == Arm64OperandKind.Vector128))
        {
            if (instruction.IsStore)
            {
                VectorStores++;
            }
            else
            {
                VectorLoads++;
            }
        }
        else
        {
            violations.Add($"{(instruction.IsStore ? "store" : "load")} narrower than 128 bits: {instruction}");
        }
    }
}
