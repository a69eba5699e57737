using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>Layer matching combined with the other features that change the generated loop.</summary>
public sealed class MatchingCombinationTests
{
    [Theory]
    [InlineData("[Sweep(SweepAxes.Alpha, 0.5, 0.9)] [Sweep(SweepAxes.Distance, LossKind.KlDivergence, LossKind.LogitMse)]")]
    [InlineData("[Sweep(SweepAxes.Temperature, 1.0, 4.0)] [Sweep(SweepAxes.LearningRate, 0.001, 0.003)]")]
    [InlineData("[CalibratedTeacher] [Dataset(DatasetKind.Digits, ValidationFraction = 0.2)]")]
    [InlineData("[Train(Checkpoint = \"ckpt/distill.bin\", AccumulationSteps = 2, ClipGradientNorm = 1)]")]
    public void Matching_with_other_features_generates_code_that_compiles_without_warnings(string attributes)
    {
        string source = MatchingDiagnosticTests.Experiment("[MatchLayers(LayerSelection.Forward, Weight = 3)] " + attributes);
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, MatchingDiagnosticTests.LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        string code = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits)", code);
    }
}
