using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// Each invalid configuration yields exactly the expected diagnostic, located on the offending attribute argument
/// (asserted by the source text under the diagnostic's span), with a message that names the problem.
/// </summary>
public sealed class DiagnosticTests
{
    private const string ValidAttributes = """
        [Teacher(typeof(BigNet))]
        [Student(typeof(SmallNet))]
        [Loss(LossKind.CrossEntropy, Weight = 0.1)]
        [Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4)]
        """;

    private static string Experiment(string attributes, string declaration = "public partial class Exp { }") => $$"""
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            {{attributes}}
            {{declaration}}
        }
        """;

    private static Diagnostic Single(string source, string id, string expectedSpanText, params string[] messageParts)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal(expectedSpanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.Empty(result.GeneratedSources); // an invalid experiment emits nothing rather than code that cannot compile
        return diagnostic;
    }

    [Fact]
    public void Valid_experiment_has_no_diagnostics()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(ValidAttributes));
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void KD0001_class_not_partial() =>
        Single(Experiment(ValidAttributes, "public class Exp { }"), "KD0001", "Exp", "'Exp' must be declared 'partial'");

    [Fact]
    public void KD0002_missing_teacher() =>
        Single(Experiment("[Student(typeof(SmallNet))] [Loss(LossKind.CrossEntropy)] [Loss(LossKind.KlDivergence)]"), "KD0002", "Exp",
            "loss terms that read a teacher (KlDivergence) but no [Teacher(typeof(...))] or [SelfTeacher]");

    [Fact]
    public void KD0003_missing_student() =>
        Single(Experiment("[Teacher(typeof(BigNet))] [Loss(LossKind.KlDivergence)]"), "KD0003", "Exp", "no [Student(typeof(...))]");

    [Fact]
    public void KD0004_teacher_is_not_a_torch_module() =>
        Single(Experiment(ValidAttributes.Replace("typeof(BigNet)", "typeof(string)")), "KD0004", "typeof(string)",
            "teacher type 'string' is not a TorchSharp module", "Module<Tensor, Tensor>");

    [Fact]
    public void KD0004_student_module_with_wrong_signature()
    {
        const string wrongModule = """
            namespace Sample
            {
                public sealed class PairNet : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    public PairNet() : base("pair") { }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor a, TorchSharp.torch.Tensor b) => a;
                }
            }
            """;
        var source = Experiment(ValidAttributes.Replace("typeof(SmallNet)", "typeof(PairNet)"));
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, wrongModule, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0004", diagnostic.Id);
        Assert.Equal("typeof(PairNet)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }

    [Fact]
    public void KD0005_model_without_usable_constructor()
    {
        const string model = """
            namespace Sample
            {
                public sealed class NamedNet : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    public NamedNet(string name) : base(name) { }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => x;
                }
                public abstract class AbstractNet : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    protected AbstractNet() : base("abstract") { }
                }
            }
            """;
        foreach (var (type, reason) in new[] { ("NamedNet", "has no suitable public constructor"), ("AbstractNet", "is abstract") })
        {
            var source = Experiment(ValidAttributes.Replace("typeof(SmallNet)", $"typeof({type})"));
            var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, model, source);
            var diagnostic = Assert.Single(result.Diagnostics);
            Assert.Equal("KD0005", diagnostic.Id);
            Assert.Equal($"typeof({type})", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
            Assert.Contains(reason, diagnostic.GetMessage());
            Assert.Contains("(int inputFeatures, int classCount)", diagnostic.GetMessage());
        }
    }

    [Fact]
    public void KD0006_no_loss_term() =>
        Single(Experiment("[Teacher(typeof(BigNet))] [Student(typeof(SmallNet))]"), "KD0006", "Exp", "declares no [Loss(...)] term");

    [Fact]
    public void KD0007_negative_weight() =>
        Single(Experiment(ValidAttributes.Replace("Weight = 0.1", "Weight = -0.5")), "KD0007", "Weight = -0.5", "CrossEntropy", "-0.5");

    [Fact]
    public void KD0008_all_weights_zero() =>
        Single(Experiment(ValidAttributes.Replace("Weight = 0.1", "Weight = 0").Replace("Weight = 0.9", "Weight = 0.0")), "KD0008", "Exp",
            "weight 0");

    [Theory]
    [InlineData("0")]
    [InlineData("-2")]
    [InlineData("double.NaN")]
    public void KD0009_non_positive_temperature(string value)
    {
        var text = "Temperature = " + value;
        Single(Experiment(ValidAttributes.Replace("Temperature = 4", text)), "KD0009", text, "The Temperature of the KlDivergence term", "must be > 0");
    }

    [Fact]
    public void KD0010_temperature_on_cross_entropy() =>
        Single(Experiment(ValidAttributes.Replace("Weight = 0.1)", "Weight = 0.1, Temperature = 2)")), "KD0010", "Temperature = 2",
            "'Temperature' does not apply to the CrossEntropy term", "applies only to KlDivergence, TfKdRegularization, KdPt, KdPtSim, KdTopK");

    [Fact]
    public void KD0011_duplicate_loss_term() =>
        Single(Experiment(ValidAttributes + "\n[Loss(LossKind.CrossEntropy, Weight = 0.3)]"), "KD0011", "LossKind.CrossEntropy",
            "CrossEntropy term is declared more than once");

    [Fact]
    public void KD0011_points_at_the_second_declaration()
    {
        var source = Experiment(ValidAttributes + "\n[Loss(LossKind.CrossEntropy, Weight = 0.3)]");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        int second = source.LastIndexOf("LossKind.CrossEntropy", System.StringComparison.Ordinal);
        Assert.Equal(second, Assert.Single(result.Diagnostics).Location.SourceSpan.Start);
    }

    [Fact]
    public void KD0012_unknown_loss_kind() =>
        Single(Experiment(ValidAttributes + "\n[Loss((LossKind)42)]"), "KD0012", "(LossKind)42", "42 is not a known LossKind", "KlDivergence");

    [Fact]
    public void KD0012_unknown_optimizer() =>
        Single(Experiment(ValidAttributes + "\n[Train(Optimizer = (OptimizerKind)7)]"), "KD0012", "Optimizer = (OptimizerKind)7",
            "7 is not a known OptimizerKind", "Sgd");

    [Fact]
    public void KD0013_nested_experiment_class() =>
        Single(Experiment(ValidAttributes, "public partial class Outer { [Distillation] " + ValidAttributes.Replace("\n", " ") + " public partial class Exp { } }")
                .Replace("[Distillation]\n    [Teacher", "[Teacher"),
            "KD0013", "Exp", "nested inside 'Outer'");

    [Theory]
    [InlineData("Epochs = 0", "Train.Epochs is 0")]
    [InlineData("BatchSize = -8", "Train.BatchSize is -8")]
    [InlineData("LearningRate = 0.0", "Train.LearningRate is 0")]
    [InlineData("Momentum = 1.5, Optimizer = OptimizerKind.Sgd", "Train.Momentum is 1.5")]
    [InlineData("WeightDecay = -0.1", "Train.WeightDecay is -0.1")]
    public void KD0014_training_value_out_of_range(string argument, string message)
    {
        string offending = argument.Split(',')[0];
        Single(Experiment(ValidAttributes + $"\n[Train({argument})]"), "KD0014", offending, message);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-0.01")]
    [InlineData("double.PositiveInfinity")]
    public void KD0014_teacher_learning_rate_not_positive(string value) =>
        Single(Experiment(ValidAttributes.Replace("[Teacher(typeof(BigNet))]", $"[Teacher(typeof(BigNet), LearningRate = {value})]")), "KD0014",
            $"LearningRate = {value}", "Teacher.LearningRate", "a finite number > 0 (leave it out to use Train.LearningRate)");

    [Fact]
    public void KD0014_teacher_epochs_negative() =>
        Single(Experiment(ValidAttributes.Replace("[Teacher(typeof(BigNet))]", "[Teacher(typeof(BigNet), Epochs = -1)]")), "KD0014",
            "Epochs = -1", "Teacher.Epochs is -1");

    [Fact]
    public void KD0015_momentum_with_adam() =>
        Single(Experiment(ValidAttributes + "\n[Train(Momentum = 0.9)]"), "KD0015", "Momentum = 0.9",
            "Train.Momentum conflicts with Optimizer = Adam");

    [Fact]
    public void KD0016_empty_checkpoint_path() =>
        Single(Experiment(ValidAttributes.Replace("[Teacher(typeof(BigNet))]", "[Teacher(typeof(BigNet), Checkpoint = \"  \")]")), "KD0016",
            "Checkpoint = \"  \"", "Teacher.Checkpoint must be a non-empty file system path");

    [Fact]
    public void KD0016_mnist_without_path() =>
        Single(Experiment(ValidAttributes + "\n[Dataset(DatasetKind.Mnist)]"), "KD0016", "Dataset(DatasetKind.Mnist)", "MNIST has no default location");

    [Fact]
    public void KD0002_is_not_reported_for_a_teacher_free_experiment()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models,
            Experiment("[Student(typeof(SmallNet))] [Loss(LossKind.LabelSmoothing)] [Loss(LossKind.TfKdRegularization, Temperature = 20)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void KD0017_teacher_that_no_term_reads_is_a_warning()
    {
        var source = Experiment("[Teacher(typeof(BigNet))] [Student(typeof(SmallNet))] [Loss(LossKind.CrossEntropy)]");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0017", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Equal("Teacher(typeof(BigNet))", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Single(result.GeneratedSources); // a warning still generates
    }

    [Fact]
    public void KD0018_calibration_without_a_validation_split() =>
        Single(Experiment(ValidAttributes + "\n[Dataset(DatasetKind.Digits)] [CalibratedTeacher]"), "KD0018", "CalibratedTeacher",
            "[CalibratedTeacher] (the temperature is fitted on held-out data) needs a validation split", "ValidationFraction");

    [Fact]
    public void KD0018_teacher_selection_without_a_validation_split() =>
        Single(Experiment(ValidAttributes.Replace("[Teacher(typeof(BigNet))]", "[Teacher(typeof(BigNet), Selection = TeacherSelection.BestValidationAccuracy)]")
                + "\n[Dataset(DatasetKind.Digits, TrainLimit = 100)]"),
            "KD0018", "Selection = TeacherSelection.BestValidationAccuracy", "Teacher.Selection = BestValidationAccuracy needs a validation split");

    [Fact]
    public void KD0019_calibration_needs_a_model_teacher() =>
        Single(Experiment("[Student(typeof(SmallNet))] [Loss(LossKind.LabelSmoothing)] [CalibratedTeacher]"), "KD0019", "CalibratedTeacher",
            "[CalibratedTeacher] needs a model teacher");

    [Fact]
    public void KD0019_kd_sim_needs_a_teacher_with_a_linear_logit_layer()
    {
        const string model = """
            namespace Sample
            {
                public sealed class ConvOnly : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    private readonly TorchSharp.Modules.Conv1d conv = TorchSharp.torch.nn.Conv1d(1, 10, 3);
                    public ConvOnly(int inputFeatures, int classCount) : base("conv") { RegisterComponents(); }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => conv.call(x);
                }
            }
            """;
        var source = Experiment("[Teacher(typeof(ConvOnly))] [Student(typeof(SmallNet))] [Loss(LossKind.KdSim)]");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, model, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0019", diagnostic.Id);
        Assert.Equal("typeof(ConvOnly)", source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("KdSim needs the teacher's logit layer", diagnostic.GetMessage());
    }

    [Fact]
    public void KD0019_kd_sim_accepts_a_logit_layer_inside_a_nested_module()
    {
        const string model = """
            namespace Sample
            {
                public sealed class Head : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    private readonly TorchSharp.Modules.Linear linear = TorchSharp.torch.nn.Linear(64, 10);
                    public Head() : base("head") { RegisterComponents(); }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => linear.call(x);
                }
                public sealed class Wrapped : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
                {
                    private readonly Head head = new Head();
                    public Wrapped() : base("wrapped") { RegisterComponents(); }
                    public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor x) => head.call(x);
                }
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, model,
            Experiment("[Teacher(typeof(Wrapped))] [Student(typeof(SmallNet))] [Loss(LossKind.KdSim)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Theory]
    [InlineData("[Loss(LossKind.LabelSmoothing, Temperature = 2)]", "Temperature = 2", "'Temperature' does not apply to the LabelSmoothing term")]
    [InlineData("[Loss(LossKind.KdSim, TopK = 2)]", "TopK = 2", "applies only to KdTopK")]
    [InlineData("[Loss(LossKind.LogitMse, Epsilon = 0.1)]", "Epsilon = 0.1", "applies only to LabelSmoothing")]
    [InlineData("[Loss(LossKind.KdPt, Reduction = KdDsl.Losses.KlReduction.ElementwiseMean)]", "Reduction = KdDsl.Losses.KlReduction.ElementwiseMean", "applies only to KlDivergence")]
    public void KD0010_options_that_do_not_apply_to_the_kind(string loss, string span, string message) =>
        Single(Experiment(ValidAttributes + "\n" + loss), "KD0010", span, message);

    [Theory]
    [InlineData("[Loss(LossKind.LabelSmoothing, Epsilon = 1.0)]", "Epsilon = 1.0", "LabelSmoothing.Epsilon is 1")]
    [InlineData("[Loss(LossKind.TfKdRegularization, TargetProbability = 0.0)]", "TargetProbability = 0.0", "TfKdRegularization.TargetProbability is 0")]
    [InlineData("[Loss(LossKind.KdTopK, TopK = 0)]", "TopK = 0", "KdTopK.TopK is 0")]
    [InlineData("[Dataset(DatasetKind.Digits)] [Loss(LossKind.KdTopK, TopK = 11)]", "TopK = 11", "at most the data set's 10 classes")]
    [InlineData("[Dataset(DatasetKind.Digits, ValidationFraction = 1.0)]", "ValidationFraction = 1.0", "Dataset.ValidationFraction is 1")]
    [InlineData("[Dataset(DatasetKind.Synthetic)] [SyntheticData(Classes = 10, Groups = 2, Features = 11)]", "Features = 11", "at least Classes + Groups (12)")]
    [InlineData("[Dataset(DatasetKind.Synthetic)] [SyntheticData(ClassCorrelation = 1.5)]", "ClassCorrelation = 1.5", "in [0, 1]")]
    [InlineData("[CalibratedTeacher(Bins = 0)] [Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]", "Bins = 0", "CalibratedTeacher.Bins is 0")]
    public void KD0014_new_settings_out_of_range(string attributes, string span, string message) =>
        Single(Experiment(ValidAttributes + "\n" + attributes), "KD0014", span, message);

    [Fact]
    public void KD0009_student_and_similarity_temperatures_must_be_positive()
    {
        Single(Experiment(ValidAttributes.Replace("Temperature = 4", "Temperature = 4, StudentTemperature = 0")), "KD0009", "StudentTemperature = 0",
            "The StudentTemperature of the KlDivergence term is 0");
        Single(Experiment(ValidAttributes + "\n[Loss(LossKind.KdSim, SimilarityTemperature = -1)]"), "KD0009", "SimilarityTemperature = -1",
            "The SimilarityTemperature of the KdSim term is -1");
    }

    [Theory]
    [InlineData("[Train(AccumulationSteps = 0)]", "AccumulationSteps = 0", "Train.AccumulationSteps is 0")]
    [InlineData("[Train(ClipGradientNorm = -1)]", "ClipGradientNorm = -1", "Train.ClipGradientNorm is -1")]
    [InlineData("[Train(WarmupSteps = -5)]", "WarmupSteps = -5", "Train.WarmupSteps is -5")]
    [InlineData("[Train(Schedule = LearningRateSchedule.StepDecay, StepDecayFactor = 1.5)]", "StepDecayFactor = 1.5", "Train.StepDecayFactor is 1.5")]
    [InlineData("[Train(Schedule = LearningRateSchedule.StepDecay, StepDecayEpochs = 0)]", "StepDecayEpochs = 0", "Train.StepDecayEpochs is 0")]
    public void KD0014_engine_settings_out_of_range(string attributes, string span, string message) =>
        Single(Experiment(ValidAttributes + "\n" + attributes), "KD0014", span, message);

    [Theory]
    [InlineData("[Train(StepDecayEpochs = 3)]", "StepDecayEpochs = 3", "Train.StepDecayEpochs conflicts with Schedule = Constant")]
    [InlineData("[Train(Schedule = LearningRateSchedule.Cosine, StepDecayFactor = 0.5)]", "StepDecayFactor = 0.5", "conflicts with Schedule = Cosine")]
    public void KD0015_step_decay_options_without_step_decay(string attributes, string span, string message) =>
        Single(Experiment(ValidAttributes + "\n" + attributes), "KD0015", span, message);

    [Fact]
    public void KD0015_cache_directory_without_disk_cache() =>
        Single(Experiment(ValidAttributes.Replace("[Teacher(typeof(BigNet))]",
                "[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Memory, CacheDirectory = \"c\")]")),
            "KD0015", "CacheDirectory = \"c\"", "Teacher.CacheDirectory conflicts with CacheOutputs = Memory");

    [Fact]
    public void KD0015_caching_when_no_term_reads_the_teachers_outputs() =>
        Single(Experiment("[Teacher(typeof(BigNet), CacheOutputs = TeacherOutputCaching.Memory)] [Student(typeof(SmallNet))] [Loss(LossKind.KdSim)]"),
            "KD0015", "CacheOutputs = TeacherOutputCaching.Memory", "nothing to cache");

    [Fact]
    public void KD0015_teacher_and_self_teacher_together() =>
        Single(Experiment(ValidAttributes + "\n[SelfTeacher]"), "KD0015", "SelfTeacher", "[SelfTeacher] conflicts with [Teacher]");

    [Fact]
    public void KD0019_synthetic_shape_without_synthetic_data_set() =>
        Single(Experiment(ValidAttributes + "\n[Dataset(DatasetKind.Digits)] [SyntheticData(Classes = 4)]"), "KD0019", "SyntheticData(Classes = 4)",
            "[SyntheticData] needs [Dataset(DatasetKind.Synthetic)]");

    [Fact]
    public void Several_problems_are_all_reported_at_once()
    {
        var source = Experiment("""
            [Teacher(typeof(BigNet))]
            [Student(typeof(string))]
            [Loss(LossKind.KlDivergence, Weight = -1, Temperature = 0)]
            [Train(Epochs = 0)]
            """);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Equal(new[] { "KD0004", "KD0007", "KD0009", "KD0014" }, result.Diagnostics.Select(d => d.Id).OrderBy(id => id));
    }

    [Theory]
    [InlineData("[Teacher(typeof(DoesNotExist))] [Student(typeof(SmallNet))] [Loss(LossKind.CrossEntropy)]")]
    [InlineData("[Teacher(typeof(BigNet))] [Student(typeof(SmallNet))] [Loss(LossKind.CrossEntropy, Weight = \"x\")]")]
    [InlineData("[Teacher] [Student(typeof(SmallNet))] [Loss(]")]
    [InlineData("[Teacher(null)] [Student(typeof(SmallNet))] [Loss(LossKind.CrossEntropy)]")]
    public void Broken_code_never_makes_the_generator_throw_or_emit_uncompilable_code(string attributes)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, Experiment(attributes));
        Assert.Null(result.Exception);
        // Whatever the generator emitted must not add errors of its own: every error is in the user's file.
        Assert.DoesNotContain(output.GetDiagnostics(), d => d.Severity == DiagnosticSeverity.Error && d.Location.SourceTree?.FilePath.EndsWith(".g.cs") == true);
    }
}
