using KernelGen.Conformance;
using Xunit;

namespace KernelGen.Tests.Conformance;

public sealed class ToleranceTests
{
    [Theory]
    [InlineData(1.0, 1.0, true)]
    [InlineData(1.0 + 2e-5, 1.0, true)] // bound: 1e-5 + 1e-5 * 1
    [InlineData(1.0 + 2.1e-5, 1.0, false)]
    [InlineData(0.0, 0.0, true)]
    [InlineData(9e-6, 0.0, true)]
    [InlineData(1.1e-5, 0.0, false)]
    [InlineData(100.001, 100.0, true)] // bound: 1e-5 + 1e-3
    [InlineData(100.002, 100.0, false)]
    [InlineData(double.NaN, double.NaN, true)]
    [InlineData(double.NaN, 1.0, false)]
    [InlineData(1.0, double.NaN, false)]
    [InlineData(double.PositiveInfinity, double.PositiveInfinity, true)]
    [InlineData(double.NegativeInfinity, double.PositiveInfinity, false)]
    [InlineData(1e30, double.PositiveInfinity, false)]
    public void ParametersFollowTheFormatsBound(double actual, double expected, bool accepted)
    {
        Assert.Equal(accepted, Tolerance.Parameters.Accepts(actual, expected));
    }

    [Fact]
    public void SchedulesAreTighter()
    {
        Assert.True(Tolerance.Schedules.Accepts(0.1 + 0.9e-8, 0.1));
        Assert.False(Tolerance.Schedules.Accepts(0.1 + 1.1e-8, 0.1));
    }
}
