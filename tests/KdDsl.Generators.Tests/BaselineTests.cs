using System;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// The generated text is compared with checked-in baselines (Baselines/*.verified.cs), and the output must compile with no
/// warnings. After an intended change to the emitter, regenerate them with KDDSL_ACCEPT_BASELINES=1 dotnet test and review the diff.
/// </summary>
public sealed class BaselineTests
{
    private const string Hinton = """
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Digits, TrainLimit = 500)]
            [Teacher(typeof(BigNet), Epochs = 3, Checkpoint = "teachers/big.ckpt")]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.1)]
            [Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
            [Train(Epochs = 5, BatchSize = 128, LearningRate = 1e-3, Seed = 42, StudentBaseline = true)]
            public partial class HintonKd { }
        }
        """;

    private const string Minimal = """
        using KdDsl;

        [Distillation]
        [Teacher(typeof(Sample.BigNet))]
        [Student(typeof(Sample.SmallNet))]
        [Loss(LossKind.LogitMse)]
        [Loss(LossKind.CrossEntropy, Weight = 0)]
        [Train(Optimizer = OptimizerKind.Sgd, Momentum = 0.9, WeightDecay = 5e-4)]
        static partial class GlobalMse { }
        """;

    [Theory]
    [InlineData("HintonKd", Hinton)]
    [InlineData("GlobalMse", Minimal)]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings(string name, string source)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));

        string generated = Assert.Single(result.GeneratedSources).SourceText.ToString().ReplaceLineEndings("\n");
        string baselinePath = Path.Combine(SourceDirectory(), "Baselines", name + ".verified.cs");
        if (Environment.GetEnvironmentVariable("KDDSL_ACCEPT_BASELINES") == "1")
            File.WriteAllText(baselinePath, generated);
        Assert.True(File.Exists(baselinePath), $"Missing baseline {baselinePath}; run with KDDSL_ACCEPT_BASELINES=1 to create it.");
        Assert.Equal(File.ReadAllText(baselinePath).ReplaceLineEndings("\n"), generated);
    }

    [Fact]
    public void Declared_values_reach_the_generated_code()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Hinton);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, 4d)", code);
        Assert.Contains("0.1d * crossEntropy + 0.9d * klDivergence", code);
        Assert.Contains("settings with { Epochs = 3 }", code);
        Assert.Contains("\"teachers/big.ckpt\"", code);
        Assert.Contains("BuiltInDatasets.Load(global::KdDsl.DatasetKind.Digits, null, 500, 0)", code);
        Assert.Contains("Epochs: 5, BatchSize: 128, LearningRate: 0.001d, Seed: 42", code);
    }

    [Fact]
    public void A_zero_weight_term_is_reported_but_not_trained_on()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Minimal);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("var total = logitMse;", code);
        Assert.Contains("crossEntropySum += crossEntropyValue;", code);
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}
