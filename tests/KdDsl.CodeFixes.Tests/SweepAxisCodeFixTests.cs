using System.Threading.Tasks;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>KD0030 fixed in a workspace: the nearest sweep axis written, the diagnostic gone, the result compiles.</summary>
public sealed class SweepAxisCodeFixTests
{
    private static string Source(string sweep) => $$"""
        using KdDsl;

        namespace Sample
        {
            [Distillation]
            [Teacher(typeof(BigNet))]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 4.0)]
            {{sweep}}
            public partial class Exp { }
        }
        """;

    [Theory]
    [InlineData("[Sweep(\"Temprature\", 2.0, 4.0)]", "Use the sweep axis 'Temperature'", "[Sweep(\"Temperature\", 2.0, 4.0)]")]
    [InlineData("[Sweep(\"alpha\", 0.1, 0.9)]", "Use the sweep axis 'Alpha'", "[Sweep(\"Alpha\", 0.1, 0.9)]")]
    [InlineData("[Sweep(\"LearnRate\", 1e-3, 3e-3)]", "Use the sweep axis 'LearningRate'", "[Sweep(\"LearningRate\", 1e-3, 3e-3)]")]
    public async Task KD0030_writes_the_nearest_axis(string sweep, string title, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Source(sweep), new SweepAxisCodeFixProvider(), "KD0030", title);
        Assert.Equal(Source(expected), fixedSource);
    }

    [Fact]
    public async Task KD0030_far_from_every_axis_offers_no_fix()
    {
        var titles = await CodeFixHarness.TitlesAsync(Source("[Sweep(\"BatchSize\", 32.0)]"), new SweepAxisCodeFixProvider(), "KD0030");
        Assert.Empty(titles);
    }
}
