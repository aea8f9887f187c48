using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace KernelGen.Disasm;

/// <summary>What an ARM64 operand is, as far as the NEON checks care.</summary>
public enum Arm64OperandKind
{
    /// <summary>An immediate, a label, a shift or anything else that is not a register.</summary>
    Other,
    /// <summary>A general-purpose register (<c>x3</c>, <c>w3</c>, <c>sp</c>, <c>fp</c>, ...).</summary>
    General,
    /// <summary>A whole 128-bit vector: <c>q24</c>, or <c>v24</c> arranged <c>.16b .8h .4s .2d</c>.</summary>
    Vector128,
    /// <summary>A 64-bit vector: <c>v24</c> arranged <c>.8b .4h .2s .1d</c>, half a NEON register.</summary>
    Vector64,
    /// <summary>One lane of a vector (<c>v24.s[1]</c>): element-by-element work.</summary>
    Lane,
    /// <summary>A scalar floating-point or SIMD register (<c>s0</c>, <c>d0</c>, <c>h0</c>, <c>b0</c>).</summary>
    Scalar,
    /// <summary>An SVE register (<c>z0.s</c>, <c>p0</c>): not NEON.</summary>
    Sve,
    /// <summary>A memory address (<c>[x1, x7]</c>).</summary>
    Address,
}

/// <summary>One instruction line of an ARM64 listing: its mnemonic and operands.</summary>
public sealed partial record Arm64Instruction(string Mnemonic, IReadOnlyList<string> Operands, string Text)
{
    /// <summary>
    /// Reads an instruction line; <see langword="null"/> for labels, comments, blank lines and
    /// the <c>align</c> padding the JIT lists.
    /// </summary>
    public static Arm64Instruction? TryParse(string line)
    {
        string text = line.Trim();
        int comment = text.IndexOf(';', StringComparison.Ordinal);
        if (comment >= 0)
        {
            text = text[..comment].TrimEnd();
        }

        if (text.Length == 0 || text.EndsWith(':') || text.StartsWith("align", StringComparison.Ordinal) || LabelLine().IsMatch(line))
        {
            return null;
        }

        int space = text.IndexOfAny([' ', '\t']);
        string mnemonic = space < 0 ? text : text[..space];
        string operands = space < 0 ? "" : text[(space + 1)..].Trim();
        return new Arm64Instruction(mnemonic, SplitOperands(operands), text);
    }

    /// <summary>The label a line defines (<c>G_M000_IG03</c>), or <see langword="null"/>.</summary>
    public static string? LabelOf(string line)
    {
        Match match = LabelLine().Match(line);
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Classifies an operand.</summary>
    public static Arm64OperandKind Classify(string operand)
    {
        if (operand.StartsWith('['))
        {
            return Arm64OperandKind.Address;
        }

        if (Vector128Register().IsMatch(operand))
        {
            return Arm64OperandKind.Vector128;
        }

        if (Vector64Register().IsMatch(operand))
        {
            return Arm64OperandKind.Vector64;
        }

        if (LaneRegister().IsMatch(operand))
        {
            return Arm64OperandKind.Lane;
        }

        if (ScalarRegister().IsMatch(operand))
        {
            return Arm64OperandKind.Scalar;
        }

        if (SveRegister().IsMatch(operand))
        {
            return Arm64OperandKind.Sve;
        }

        return GeneralRegister().IsMatch(operand) ? Arm64OperandKind.General : Arm64OperandKind.Other;
    }

    /// <summary>The registers an operand names: itself, or each member of a <c>{v0.4s, v1.4s}</c> list.</summary>
    public static IEnumerable<string> Registers(string operand) =>
        operand.StartsWith('{') ? SplitOperands(operand.Trim('{', '}')) : [operand];

    /// <summary>The label a branch goes to, or <see langword="null"/> when this is no direct branch.</summary>
    public string? BranchTarget =>
        Operands.Count > 0 && IsBranchMnemonic(Mnemonic) && LabelName().IsMatch(Operands[^1]) ? Operands[^1] : null;

    /// <summary>
    /// A call, or a jump that leaves the method (a tail call): <c>bl</c>, <c>blr</c>, <c>br</c> and
    /// their pointer-authenticated forms. Not <c>bls</c>/<c>blo</c>/<c>ble</c>/<c>blt</c>, which are
    /// conditional branches.
    /// </summary>
    public bool IsCall => Mnemonic is "bl" or "blr" or "br" or "blraa" or "blraaz" or "blrab" or "blrabz" or "braa" or "braaz" or "brab" or "brabz";

    /// <summary>A load or store (<c>ldr</c>, <c>ldp</c>, <c>ld1</c>, <c>str</c>, <c>stp</c>, <c>st1</c>, ...).</summary>
    public bool IsMemoryAccess => Mnemonic.StartsWith("ld", StringComparison.Ordinal) || Mnemonic.StartsWith("st", StringComparison.Ordinal);

    /// <summary>Whether this is a store.</summary>
    public bool IsStore => Mnemonic.StartsWith("st", StringComparison.Ordinal);

    /// <summary>A floating-point instruction (<c>fadd</c>, <c>fsqrt</c>, <c>fcmgt</c>, <c>fmla</c>, ...).</summary>
    public bool IsFloatingPoint => Mnemonic.StartsWith('f');

    /// <summary>
    /// A fused multiply-add in any form, NEON (<c>fmla fmls</c>), scalar (<c>fmadd fmsub fnmadd
    /// fnmsub</c>) or SVE (<c>fmad fmsb fnmad fnmsb fnmla fnmls</c>): one rounding where the rule
    /// written without <c>FusedMultiplyAdd</c> has two.
    /// </summary>
    public bool IsFusedMultiplyAdd => Mnemonic is "fmla" or "fmls" or "fmadd" or "fmsub" or "fnmadd" or "fnmsub"
        or "fmad" or "fmsb" or "fnmad" or "fnmsb" or "fnmla" or "fnmls";

    /// <summary>Whether any operand (or register-list member) is of <paramref name="kind"/>.</summary>
    public bool HasOperand(Arm64OperandKind kind)
    {
        foreach (string operand in Operands)
        {
            foreach (string register in Registers(operand))
            {
                if (Classify(register) == kind)
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => Text;

    private static bool IsBranchMnemonic(string mnemonic) =>
        mnemonic == "b" || mnemonic.StartsWith("b.", StringComparison.Ordinal) || mnemonic is "cbz" or "cbnz" or "tbz" or "tbnz"
        || mnemonic is "beq" or "bne" or "bhs" or "bcs" or "blo" or "bcc" or "bmi" or "bpl" or "bvs" or "bvc" or "bhi" or "bls" or "bge" or "blt" or "bgt" or "ble";

    // Top-level commas only: "[x1, x7, LSL #2]" and "{v0.4s, v1.4s}" are one operand each.
    private static List<string> SplitOperands(string operands)
    {
        var result = new List<string>();
        int depth = 0;
        int start = 0;
        for (int i = 0; i < operands.Length; i++)
        {
            char c = operands[i];
            if (c is '[' or '{')
            {
                depth++;
            }
            else if (c is ']' or '}')
            {
                depth--;
            }
            else if (c == ',' && depth == 0)
            {
                result.Add(operands[start..i].Trim());
                start = i + 1;
            }
        }

        if (operands.Trim().Length > 0)
        {
            result.Add(operands[start..].Trim().TrimEnd('!'));
        }

        return result;
    }

    [GeneratedRegex(@"^\s*(G_M\d+_IG\d+):")]
    private static partial Regex LabelLine();

    [GeneratedRegex(@"^G_M\d+_IG\d+$")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^(q\d+|v\d+\.(16b|8h|4s|2d))$")]
    private static partial Regex Vector128Register();

    [GeneratedRegex(@"^v\d+\.(8b|4h|2s|1d)$")]
    private static partial Regex Vector64Register();

    [GeneratedRegex(@"^v\d+\.[bhsd]\[\d+\]$")]
    private static partial Regex LaneRegister();

    [GeneratedRegex(@"^[bhsd]\d+$")]
    private static partial Regex ScalarRegister();

    [GeneratedRegex(@"^(z\d+(\.[bhsdq])?(\[\d+\])?|p\d+(\.[bhsd])?(/[zm])?)$")]
    private static partial Regex SveRegister();

    [GeneratedRegex(@"^([xw]\d+|[xw]zr|sp|wsp|fp|lr|ip0|ip1)$")]
    private static partial Regex GeneralRegister();
}
