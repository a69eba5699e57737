using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// [Normalize] and [Augment]: what they generate (baselines that compile without warnings), the teacher fingerprint they
/// change, and one diagnostic per invalid configuration, at the offending argument.
/// </summary>
public sealed class InputsTests
{
    private const string AugmentedFashion = """
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.FashionMnist, TrainLimit = 1000)]
            [Normalize(Mean = new[] { 0.2860 }, Std = new[] { 0.3530 })]
            [Augment(RandomCropPadding = 4, HorizontalFlip = true)]
            [Teacher(typeof(BigNet), Epochs = 3)]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.1)]
            [Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
            [Train(Epochs = 2, StudentBaseline = true)]
            public partial class AugmentedKd { }
        }
        """;

    private const string FittedOnly = """
        using KdDsl;
        using Sample;

        [Distillation]
        [Normalize(FromTrainingSplit = true)]
        [Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Memory)]
        [Student(typeof(SmallNet))]
        [Loss(LossKind.KlDivergence)]
        public partial class FittedKd { }
        """;

    [Theory]
    [InlineData("AugmentedKd", AugmentedFashion)]
    [InlineData("FittedKd", FittedOnly)]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings(string name, string source) =>
        GeneratorHarness.AssertMatchesBaseline(name, GeneratorHarness.Models, source);

    [Fact]
    public void Declared_values_reach_the_generated_code()
    {
        string code = Code(AugmentedFashion);
        Assert.Contains("new global::KdDsl.NormalizeAttribute { Mean = new double[] { 0.286d }, Std = new double[] { 0.353d } }", code);
        Assert.Contains("new global::KdDsl.AugmentAttribute { RandomCropPadding = 4, HorizontalFlip = true }", code);
        Assert.Contains("flatImageShape: new[] { 1, 28, 28 }", code);
        Assert.Contains("inputs.Apply(options.Apply(DeclaredSettings))", code);
        Assert.Contains("data = inputs.Data;", code);
        Assert.Contains("Normalization = inputs.Normalization!,", code);

        string augmentOnly = Code(AugmentedFashion.Replace("[Normalize(Mean = new[] { 0.2860 }, Std = new[] { 0.3530 })]", ""));
        Assert.Contains("normalize: null", augmentOnly);
        Assert.DoesNotContain("data = inputs.Data;", augmentOnly);
        Assert.DoesNotContain("Normalization", augmentOnly);

        // Without [Normalize] or [Augment] nothing changes.
        string plain = Code(AugmentedFashion.Replace("[Normalize(Mean = new[] { 0.2860 }, Std = new[] { 0.3530 })]", "")
            .Replace("[Augment(RandomCropPadding = 4, HorizontalFlip = true)]", ""));
        Assert.DoesNotContain("InputPipeline", plain);
    }

    [Fact]
    public void Augmentation_and_normalization_change_the_teacher_fingerprint_of_a_sweep()
    {
        static string Key(string inputs) => GeneratorHarness.Flat(Code($$"""
            using KdDsl;
            using Sample;

            [Distillation]
            [Dataset(DatasetKind.FashionMnist)]
            {{inputs}}
            [Teacher(typeof(BigNet), Epochs = 3)]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence, Temperature = 4)]
            [Sweep(SweepAxes.Alpha, 0.5, 0.9)]
            public partial class SweptAugmentedKd { }
            """).Split("TeacherKey(int trial) => ")[1].Split(';')[0]);
        string plain = Key("");
        Assert.NotEqual(plain, Key("[Augment(HorizontalFlip = true)]"));
        Assert.NotEqual(Key("[Augment(HorizontalFlip = true)]"), Key("[Augment(RandomCropPadding = 2)]"));
        Assert.NotEqual(plain, Key("[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.25 })]"));
        Assert.NotEqual(Key("[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.25 })]"), Key("[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.5 })]"));
    }

    private static string Experiment(string attributes, string dataset = "[Dataset(DatasetKind.FashionMnist)]", string teacher = "[Teacher(typeof(BigNet))]") => $$"""
        using KdDsl;
        using Sample;

        [Distillation]
        {{dataset}}
        {{attributes}}
        {{teacher}}
        [Student(typeof(SmallNet))]
        [Loss(LossKind.KlDivergence)]
        public partial class Exp { }
        """;

    public static TheoryData<string, string, string, string, string> Invalid => new()
    {
        // attributes, dataset, id, span, message part
        { "[Normalize(Mean = new[] { 0.5, 0.4 }, Std = new[] { 0.25 })]", "", "KD0043", "Std = new[] { 0.25 }", "gives 2 means but 1 stds" },
        { "[Normalize(Mean = new[] { 0.5, 0.4 }, Std = new[] { 0.25, 0.2 })]", "[Dataset(DatasetKind.FashionMnist)]", "KD0043",
            "Mean = new[] { 0.5, 0.4 }", "the data set has 1" },
        { "[Normalize(Mean = new double[0], Std = new double[0])]", "", "KD0043", "Mean = new double[0]", "no statistics" },
        { "[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.25 })]", "[Dataset(DatasetKind.Synthetic)]\n[SyntheticData(Features = 16, Classes = 4)]", "KD0043",
            "Mean = new[] { 0.5 }", "the data set has 16" },
        { "[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.0 })]", "", "KD0014", "Std = new[] { 0.0 }", "Normalize.Std[0]" },
        { "[Normalize(Mean = new[] { 0.5 }, Std = new[] { -1.0 })]", "", "KD0014", "Std = new[] { -1.0 }", "a finite number > 0" },
        { "[Normalize(Mean = new[] { double.NaN }, Std = new[] { 1.0 })]", "", "KD0014", "Mean = new[] { double.NaN }", "Normalize.Mean[0]" },
        { "[Normalize(Mean = new[] { 0.5 }, Std = new[] { 0.25 }, FromTrainingSplit = true)]", "", "KD0015", "Mean = new[] { 0.5 }", "Normalize.FromTrainingSplit" },
        { "[Normalize]", "", "KD0019", "Normalize", "Mean and Std" },
        { "[Normalize(Mean = new[] { 0.5 })]", "", "KD0019", "Mean = new[] { 0.5 }", "Normalize.Std of the same length" },
        { "[Augment(RandomCropPadding = -1)]", "", "KD0014", "RandomCropPadding = -1", ">= 0" },
        { "[Augment(RandomCropPadding = 28)]", "[Dataset(DatasetKind.FashionMnist)]", "KD0014", "RandomCropPadding = 28", "28x28" },
        { "[Augment(RandomCropPadding = 8)]", "[Dataset(DatasetKind.Digits)]", "KD0014", "RandomCropPadding = 8", "8x8" },
        { "[Augment]", "", "KD0019", "Augment", "changes nothing" },
        { "[Augment(HorizontalFlip = false)]", "", "KD0019", "Augment(HorizontalFlip = false)", "changes nothing" },
        { "[Augment(RandomCropPadding = 2)]", "[Dataset(DatasetKind.Synthetic)]", "KD0044", "Augment(RandomCropPadding = 2)", "flat feature vectors" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void Invalid_configuration_is_reported_at_the_argument(string attributes, string dataset, string id, string span, string messagePart)
    {
        string source = Experiment(attributes, dataset);
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(span, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains(messagePart, diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("TeacherOutputCaching.Memory")]
    [InlineData("TeacherOutputCaching.Disk")]
    public void KD0045_augmentation_with_a_teacher_output_cache(string caching)
    {
        string source = Experiment("[Augment(HorizontalFlip = true)]", teacher: $"[Teacher(typeof(BigNet), CacheOutputs = {caching})]");
        var diagnostic = Assert.Single(Diagnostics(source));
        Assert.Equal("KD0045", diagnostic.Id);
        Assert.Equal($"CacheOutputs = {caching}", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("un-augmented", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        // Normalisation alone is fine with a cache: the cached outputs are of the normalised data.
        Assert.Empty(Diagnostics(Experiment("[Normalize(FromTrainingSplit = true)]", teacher: $"[Teacher(typeof(BigNet), CacheOutputs = {caching})]")));
    }

    [Theory]
    [InlineData("[Dataset(DatasetKind.Digits)]", "DatasetKind.Digits")]
    [InlineData("[Dataset(DatasetKind.Mnist, Path = \"/data/mnist\")]", "DatasetKind.Mnist")]
    public void KD0046_flipping_digits_is_a_warning_and_still_generates(string dataset, string name)
    {
        string source = Experiment("[Augment(HorizontalFlip = true)]", dataset);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0046", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("HorizontalFlip = true", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains(name, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.Single(result.GeneratedSources);
        Assert.Empty(Diagnostics(Experiment("[Augment(HorizontalFlip = true)]", "[Dataset(DatasetKind.FashionMnist)]")));
    }

    private static string Code(string source)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        return result.GeneratedSources.Single().SourceText.ToString();
    }

    private static Diagnostic[] Diagnostics(string source)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        return result.Diagnostics.ToArray();
    }
}
