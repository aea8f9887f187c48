// Compiled with Mono's mcs against Mono's netstandard facade: the entry point of the Mono check.
public static class Runner
{
    public static int Main() => KernelGen.MonoCheck.Checks.Run();
}
