using System.Linq;
using KernelGen.Generator.Model;

namespace KernelGen.Generator.Emission;

// The frame of a [Kernel]: span entry points named after the method, with its accessibility, in the
// static class that declares it; the loops they run in a nested class of their own, so that several
// kernels of one class do not share member names.
internal sealed partial class KernelEmitter
{
    private string KernelClass => _rule.MethodName + "Kernel";

    private void WriteKernelClass()
    {
        string access = _rule.Accessibility;
        // The kernel's own parameter order: its signature is what a caller writes.
        string parameters = string.Join(", ", _rule.Parameters.Select(p => p.Role == ParameterRole.Hyperparameter
            ? $"{CSharpWriter.Keyword(p.Kind)} {p.Name}"
            : $"{SpanType(p)} {p.Name}"));
        string arguments = string.Join(", ", Buffers.Concat(Uniforms).Select(p => p.Name));
        using (_w.Block($"static partial class {_rule.ClassName}"))
        {
            _w.Line("/// <summary>");
            _w.Line($"/// Runs <c>{_rule.MethodName}</c> on every element of the spans (all of one length) on the widest accelerated path,");
            _w.Line("/// with the bits of calling it element by element. Lengths and overlaps are checked before anything is written.");
            _w.Line("/// </summary>");
            WriteParameterDocs();
            _w.Line($"/// <exception cref=\"global::System.ArgumentException\">The spans differ in length or overlap.</exception>");
            WriteOptimizedFromFirstCall();
            _w.Line($"{access} static void {_rule.MethodName}({parameters}) =>");
            _w.Line($"    {KernelClass}.Apply({TypeNames.KernelPath}.Auto, {arguments});");
            _w.Line();
            _w.Line($"/// <summary>Runs <c>{_rule.MethodName}</c> on every element of the spans on <paramref name=\"{_pathName}\"/>.</summary>");
            _w.Line($"/// <param name=\"{_pathName}\">The ISA path; <see cref=\"{TypeNames.KernelPath}.Auto\"/> takes the widest accelerated one.</param>");
            WriteParameterDocs();
            _w.Line($"/// <exception cref=\"global::System.ArgumentException\">The spans differ in length or overlap.</exception>");
            WriteOptimizedFromFirstCall();
            _w.Line($"{access} static void {_rule.MethodName}({TypeNames.KernelPath} {_pathName}, {parameters}) =>");
            _w.Line($"    {KernelClass}.Apply({_pathName}, {arguments});");
            if (!HasReductions)
            {
                _w.Line();
                _w.Line($"/// <summary>Calls <c>{_rule.MethodName}</c> on each element in order: the oracle the loops are checked against.</summary>");
                WriteParameterDocs();
                _w.Line($"/// <exception cref=\"global::System.ArgumentException\">The spans differ in length or overlap.</exception>");
                _w.Line($"{access} static void {_rule.MethodName}WithRule({parameters}) =>");
                _w.Line($"    {KernelClass}.ApplyWithRule({arguments});");
            }

            _w.Line();
            using (_w.Block($"private static class {KernelClass}"))
            {
                WriteMembers();
            }
        }
    }
}
