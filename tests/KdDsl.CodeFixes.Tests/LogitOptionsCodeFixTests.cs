using System.Threading.Tasks;
using Xunit;
using static KdDsl.CodeFixes.Tests.Sources;

namespace KdDsl.CodeFixes.Tests;

/// <summary>The fixes of the logit-family options (KD0047 to KD0050), applied to an experiment with exactly that one problem.</summary>
public sealed class LogitOptionsCodeFixTests
{
    private static string WithTerm(string term) => Experiment(Teacher, Student, CrossEntropy, term, Class);

    [Theory]
    [InlineData("[Loss(LossKind.DecoupledKd, Temperature = 4, NonTargetClassWeight = -8)]", "Use the absolute value: NonTargetClassWeight = 8",
        "[Loss(LossKind.DecoupledKd, Temperature = 4, NonTargetClassWeight = 8)]")]
    [InlineData("[Loss(LossKind.Dist, InterClassWeight = double.NaN)]", "Remove InterClassWeight (use the default, 1)", "[Loss(LossKind.Dist)]")]
    public async Task KD0047_uses_the_absolute_value_or_the_default(string term, string title, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(WithTerm(term), new LogitOptionsCodeFixProvider(), "KD0047", title);
        Assert.Equal(WithTerm(expected), fixedSource);
    }

    [Fact]
    public async Task KD0048_removes_the_reported_weight_so_its_default_applies()
    {
        string source = WithTerm("[Loss(LossKind.Dist, Temperature = 4, InterClassWeight = 0, IntraClassWeight = 0)]");
        Assert.Equal(new[] { "Remove IntraClassWeight (use the default, 1)" },
            await CodeFixHarness.TitlesAsync(source, new LogitOptionsCodeFixProvider(), "KD0048"));
        Assert.Equal(WithTerm("[Loss(LossKind.Dist, Temperature = 4, InterClassWeight = 0)]"),
            await CodeFixHarness.FixAsync(source, new LogitOptionsCodeFixProvider(), "KD0048"));
    }

    [Theory]
    [InlineData("Skew = 1", new[] { "Set Skew to 0.9", "Remove Skew (use the default, 0.1)" }, "Skew = 0.9")]
    [InlineData("Skew = 0", new[] { "Set Skew to 0.1" }, "Skew = 0.1")]
    [InlineData("Skew = double.NaN", new[] { "Remove Skew (use the default, 0.1)" }, null)]
    public async Task KD0049_moves_the_skew_inside_0_1(string skew, string[] titles, string? expected)
    {
        string Term(string? option) => "[Loss(LossKind.SkewedJensenShannon, Temperature = 2" + (option is null ? "" : ", " + option) + ")]";
        string source = WithTerm(Term(skew));
        Assert.Equal(titles, await CodeFixHarness.TitlesAsync(source, new LogitOptionsCodeFixProvider(), "KD0049"));
        Assert.Equal(WithTerm(Term(expected)), await CodeFixHarness.FixAsync(source, new LogitOptionsCodeFixProvider(), "KD0049"));
    }

    [Fact]
    public async Task KD0050_removes_the_standardization()
    {
        string Source(string term) => Experiment("[Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]", Teacher, "[CalibratedTeacher]", Student,
            CrossEntropy, term, Class);
        string fixedSource = await CodeFixHarness.FixAsync(Source("[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 2, StandardizeLogits = true)]"),
            new LogitOptionsCodeFixProvider(), "KD0050", "Remove StandardizeLogits");
        Assert.Equal(Source("[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 2)]"), fixedSource);
    }
}
