using System;
using System.Linq;
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

    private const string TeacherFree = """
        using KdDsl;
        using KdDsl.Losses;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.FashionMnist, Path = "/data/fashion", TrainLimit = 10000)]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.LabelSmoothing, Weight = 0.5, Epsilon = 0.2, SmoothingForm = LabelSmoothingForm.OffTrueClass)]
            [Loss(LossKind.TfKdRegularization, Weight = 0.5, TargetProbability = 0.95, Temperature = 20, TfKdForm = TfKdForm.OfficialCode)]
            public partial class TeacherFreeKd { }
        }
        """;

    private const string PartialCalibrated = """
        using KdDsl;
        using KdDsl.Losses;

        namespace Sample.Experiments
        {
            [Distillation]
            [Dataset(DatasetKind.Synthetic, ValidationFraction = 0.2)]
            [SyntheticData(Classes = 6, Groups = 3, Features = 20, ClassCorrelation = 0.8, Seed = 5)]
            [Teacher(typeof(Sample.BigNet), Selection = TeacherSelection.LowestValidationLoss)]
            [CalibratedTeacher(Bins = 10)]
            [Student(typeof(Sample.BigNet))]
            [Loss(LossKind.CrossEntropy, Weight = 0.5)]
            [Loss(LossKind.KdPtSim, Weight = 0.25, Temperature = 2, SimilarityTemperature = 0.5)]
            [Loss(LossKind.KdTopK, Weight = 0.25, TopK = 3, TopKForm = TopKForm.Renormalize, StudentTemperature = 2)]
            [Loss(LossKind.KlDivergence, Weight = 0, Temperature = 4, StudentTemperature = 1, Reduction = KlReduction.ElementwiseMean, ScaleByTemperatureSquared = false)]
            public partial class PartialCalibratedKd { }
        }
        """;

    private const string SelfTaught = """
        using KdDsl;

        [Distillation]
        [SelfTeacher(Epochs = 2)]
        [Student(typeof(Sample.SmallNet))]
        [Loss(LossKind.KdSim, SimilarityTemperature = 0.3)]
        [Loss(LossKind.KdPt)]
        public partial class SelfTaughtKd { }
        """;

    private const string Engine = """
        using KdDsl;

        namespace Sample.Experiments
        {
            [Distillation]
            [Teacher(typeof(Sample.BigNet), CacheOutputs = TeacherOutputCaching.Disk, CacheDirectory = "cache/teachers")]
            [Student(typeof(Sample.SmallNet))]
            [Loss(LossKind.KlDivergence, Temperature = 2)]
            [Loss(LossKind.KdSim)]
            [Train(Epochs = 20, AccumulationSteps = 4, ClipGradientNorm = 1, Schedule = LearningRateSchedule.StepDecay, StepDecayEpochs = 5,
                   StepDecayFactor = 0.5, WarmupSteps = 100, Optimizer = OptimizerKind.AdamW, WeightDecay = 0.01)]
            public partial class EngineKd { }
        }
        """;

    [Theory]
    [InlineData("EngineKd", Engine)]
    [InlineData("HintonKd", Hinton)]
    [InlineData("GlobalMse", Minimal)]
    [InlineData("TeacherFreeKd", TeacherFree)]
    [InlineData("PartialCalibratedKd", PartialCalibrated)]
    [InlineData("SelfTaughtKd", SelfTaught)]
    public void Generated_code_matches_the_baseline_and_compiles_without_warnings(string name, string source)
    {
        GeneratorHarness.AssertMatchesBaseline(name, GeneratorHarness.Models, source);
    }

    [Fact]
    public void Declared_values_reach_the_generated_code()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Hinton);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, 4d)", code);
        Assert.Contains("new(LossTermNames, new double[] { 0.1d, 0.9d }, static (batch, terms) =>", code);
        Assert.Contains("run.Settings with { Epochs = 3 }", code);
        Assert.Contains("\"teachers/big.ckpt\"", code);
        Assert.Contains("BuiltInDatasets.Load(global::KdDsl.DatasetKind.Digits, null, 500, 0)", code);
        Assert.Contains("TrainAttribute { Epochs = 5, BatchSize = 128,", code);
        Assert.Contains("LearningRate = 0.001d, Seed = 42, StudentBaseline = true });", code);

        // A teacher learning rate of its own replaces [Train]'s for the teacher only.
        var (own, _) = GeneratorHarness.Run(GeneratorHarness.Models, Hinton.Replace("Epochs = 3", "Epochs = 3, LearningRate = 0.01"));
        string ownCode = own.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("run.Settings with { LearningRate = 0.01d, Epochs = 3 }, ", ownCode);
        Assert.Contains("LearningRate = 0.001d, Seed = 42, StudentBaseline = true });", ownCode); // the student's are [Train]'s
    }

    [Fact]
    public void A_zero_weight_term_is_reported_but_not_trained_on()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Minimal);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("new double[] { 1d, 0d }", code); // the loop leaves a weight-0 term out of the total
        Assert.Contains("terms[1] = global::KdDsl.Losses.DistillationLosses.CrossEntropy(studentLogits, labels);", code); // and logs it
    }

    [Fact]
    public void Teacher_free_experiment_builds_no_teacher_and_calls_both_regularisers()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, TeacherFree);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.DoesNotContain("teacher.call", code);
        Assert.DoesNotContain("Teacher =", code);
        Assert.Contains("LabelSmoothing(studentLogits, labels, 0.2d,", code);
        Assert.Contains("global::KdDsl.Losses.LabelSmoothingForm.OffTrueClass);", code);
        Assert.Contains("TfKdRegularizationOfficialCode(studentLogits, labels, 0.95d, 20d)", code);
        Assert.Contains("DistillationResult<global::Sample.SmallNet, EpochLosses>", code); // the base without a teacher
    }

    [Fact]
    public void Calibrated_teacher_logits_are_divided_by_the_fitted_temperature_before_every_term()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, PartialCalibrated);
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("TeacherSource.Live(teacher, teacherCalibration.Temperature)", code);
        Assert.Contains("var teacherCalibration = run.CalibrateTeacher(teacher);", code);
        Assert.Contains("calibrationBins: 10", code);
        Assert.Contains("loaded.WithValidation(0.2d)", code);
        Assert.Contains("SyntheticClassification.Generate(5000, 2000, 20, 6, 3, 0.8d, 5)", code);
        Assert.Contains("global::KdDsl.TeacherSelection.LowestValidationLoss", code);
        Assert.Contains("KlDivergence(studentLogits, teacherLogits, 4d, 1d, global::KdDsl.Losses.KlReduction.ElementwiseMean, false)", GeneratorHarness.Flat(code));
    }


    [Fact]
    public void An_image_model_receives_the_channel_count_of_the_data()
    {
        const string source = """
            using KdDsl;
            using TorchSharp;
            using static TorchSharp.torch;

            namespace Sample.Images
            {
                public sealed class TinyConv : nn.Module<Tensor, Tensor>
                {
                    private readonly TorchSharp.Modules.Conv2d conv;
                    private readonly TorchSharp.Modules.Linear head;

                    public TinyConv(int inputChannels, int classCount) : base(nameof(TinyConv))
                    {
                        conv = nn.Conv2d(inputChannels, 4, 3);
                        head = nn.Linear(4, classCount);
                        RegisterComponents();
                    }

                    public override Tensor forward(Tensor input) => head.call(conv.call(input).mean(new long[] { 2, 3 }));
                }

                [Distillation]
                [Teacher(typeof(TinyConv))]
                [Student(typeof(Sample.SmallNet))]
                [Loss(LossKind.KlDivergence)]
                public partial class ImageKd { }
            }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("new global::Sample.Images.TinyConv((int)data.Train.SampleShape[0], data.Train.ClassCount)", code);
        Assert.Contains("new global::Sample.SmallNet()", code); // a parameterless model is built as before
    }

    [Fact]
    public void A_PyTorch_teacher_is_loaded_from_its_weights_and_its_training_options_conflict()
    {
        string source = Hinton.Replace("Epochs = 3, Checkpoint = \"teachers/big.ckpt\"", "Weights = \"teacher.safetensors\"");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("pytorchWeights: \"teacher.safetensors\");", GeneratorHarness.Flat(result.GeneratedSources.Single().SourceText.ToString()));

        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, Hinton.Replace("Epochs = 3,", "Weights = \"t.pt\", Epochs = 3,"));
        Assert.Equal(new[] { "KD0015", "KD0015" }, result.Diagnostics.Select(d => d.Id)); // Epochs and Checkpoint
        (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, source.Replace("\"teacher.safetensors\"", "\"\""));
        Assert.Equal("KD0016", Assert.Single(result.Diagnostics).Id); // an empty path
    }
}
