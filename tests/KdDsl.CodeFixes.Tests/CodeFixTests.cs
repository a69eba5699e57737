using System.Linq;
using System.Threading.Tasks;
using Xunit;
using static KdDsl.CodeFixes.Tests.Sources;

namespace KdDsl.CodeFixes.Tests;

/// <summary>
/// Each fix, applied to an experiment with exactly one problem, removes the diagnostic, leaves an experiment that generates
/// and compiles without errors, and changes only what it should (the whole fixed text is compared).
/// </summary>
public sealed class CodeFixTests
{
    // ---- KD0001 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("public class Exp { }", "public partial class Exp { }")]
    [InlineData("class Exp { }", "partial class Exp { }")]
    [InlineData("public sealed class Exp { }", "public sealed partial class Exp { }")]
    [InlineData("public static class Exp { }", "public static partial class Exp { }")]
    public async Task KD0001_makes_the_class_partial(string declaration, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Valid(Class, declaration), new MakePartialCodeFixProvider(), "KD0001");
        Assert.Equal(Valid(Class, expected), fixedSource);
    }

    // ---- KD0002 / KD0003 ----------------------------------------------------------------------------------------------

    [Fact]
    public async Task KD0002_offers_each_model_of_the_project_the_students_own_last()
    {
        var titles = await CodeFixHarness.TitlesAsync(Valid(Teacher, null), new AddTeacherCodeFixProvider(), "KD0002");
        Assert.Equal("Add [Teacher(typeof(BigNet))]", titles[0]);
        Assert.Equal("Add [Teacher(typeof(SmallNet))]", titles[1]); // the student's type: self-distillation, offered last
        Assert.All(titles.Skip(2), t => Assert.StartsWith("Add [SelfTeacher]", t, System.StringComparison.Ordinal));
    }

    [Fact]
    public async Task KD0002_adds_the_teacher_before_the_student()
    {
        string fixedSource = await CodeFixHarness.FixAsync(Valid(Teacher, null), new AddTeacherCodeFixProvider(), "KD0002");
        Assert.Equal(Valid(Teacher, Teacher), fixedSource);
    }

    [Fact]
    public async Task KD0002_with_the_students_type_is_valid_too()
    {
        string fixedSource = await CodeFixHarness.FixAsync(Valid(Teacher, null), new AddTeacherCodeFixProvider(), "KD0002",
            "Add [Teacher(typeof(SmallNet))]");
        Assert.Equal(Valid(Teacher, "[Teacher(typeof(SmallNet))]"), fixedSource);
    }

    [Fact]
    public async Task KD0002_can_add_a_self_teacher()
    {
        string fixedSource = await CodeFixHarness.FixAsync(Valid(Teacher, null), new AddTeacherCodeFixProvider(), "KD0002",
            "Add [SelfTeacher] (the student's own architecture, trained first, is the teacher)");
        Assert.Equal(Valid(Teacher, "[SelfTeacher]"), fixedSource);
    }

    [Fact]
    public async Task KD0003_adds_the_student_after_the_teacher()
    {
        var titles = await CodeFixHarness.TitlesAsync(Valid(Student, null), new AddStudentCodeFixProvider(), "KD0003");
        Assert.Equal(new[] { "Add [Student(typeof(SmallNet))]", "Add [Student(typeof(BigNet))]" }, titles);
        string fixedSource = await CodeFixHarness.FixAsync(Valid(Student, null), new AddStudentCodeFixProvider(), "KD0003");
        Assert.Equal(Valid(Student, Student), fixedSource);
    }

    private const string MoreModels = """

        namespace Sample
        {
            using TorchSharp;
            using static TorchSharp.torch;

            public sealed class TinyStudent : nn.Module<Tensor, Tensor>
            {
                private readonly TorchSharp.Modules.Linear head;
                public TinyStudent(int inputFeatures, int classCount) : base(nameof(TinyStudent)) { head = nn.Linear(inputFeatures, classCount); RegisterComponents(); }
                public override Tensor forward(Tensor input) => head.call(input);
            }

            public abstract class AbstractNet : nn.Module<Tensor, Tensor>
            {
                protected AbstractNet() : base(nameof(AbstractNet)) { }
            }

            public sealed class NamedNet : nn.Module<Tensor, Tensor>
            {
                public NamedNet(string name) : base(name) { }
                public override Tensor forward(Tensor input) => input;
            }

            public sealed class NotAModel { }
        }
        """;

    [Fact]
    public async Task KD0003_prefers_a_model_named_for_the_role_and_skips_what_KdDsl_cannot_build()
    {
        var titles = await CodeFixHarness.TitlesAsync(Valid(Student, null) + MoreModels, new AddStudentCodeFixProvider(), "KD0003");
        // TinyStudent says "student"; SmallNet is neutral; BigNet is the teacher's (last); abstract, (string)-only and
        // non-module classes are not offered.
        Assert.Equal(new[] { "Add [Student(typeof(TinyStudent))]", "Add [Student(typeof(SmallNet))]", "Add [Student(typeof(BigNet))]" }, titles);
        await CodeFixHarness.FixAsync(Valid(Student, null) + MoreModels, new AddStudentCodeFixProvider(), "KD0003");
    }

    [Fact]
    public async Task KD0003_writes_names_the_way_the_file_does()
    {
        // No usings: [KdDsl.Distillation] is qualified, so the new attribute is too; the model's namespace is not in scope.
        const string source = "namespace Lab\n{\n    [KdDsl.Distillation]\n    [KdDsl.Teacher(typeof(Sample.BigNet))]\n"
            + "    [KdDsl.Loss(KdDsl.LossKind.CrossEntropy)]\n    public partial class Exp { }\n}\n";
        string fixedSource = await CodeFixHarness.FixAsync(source, new AddStudentCodeFixProvider(), "KD0003");
        Assert.Equal(source.Replace("    [KdDsl.Loss", "    [KdDsl.Student(typeof(Sample.SmallNet))]\n    [KdDsl.Loss"), fixedSource);
    }

    [Fact]
    public async Task KD0003_offers_nothing_when_the_project_has_no_model()
    {
        // A placeholder such as typeof(object) would only trade KD0003 for KD0004.
        var titles = await CodeFixHarness.TitlesAsync(
            Experiment("[Loss(LossKind.CrossEntropy)]", Class), new AddStudentCodeFixProvider(), "KD0003", withModels: false);
        Assert.Empty(titles);
    }

    // ---- KD0006 -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task KD0006_adds_a_distillation_term_when_there_is_a_teacher()
    {
        string source = Experiment(Teacher, Student, Class);
        var titles = await CodeFixHarness.TitlesAsync(source, new AddLossCodeFixProvider(), "KD0006");
        Assert.Equal(new[] { "Add [Loss(LossKind.KlDivergence, Temperature = 4)]", "Add [Loss(LossKind.CrossEntropy)]" }, titles);
        string fixedSource = await CodeFixHarness.FixAsync(source, new AddLossCodeFixProvider(), "KD0006");
        Assert.Equal(Experiment(Teacher, Student, "[Loss(LossKind.KlDivergence, Temperature = 4)]", Class), fixedSource);
    }

    // ---- KD0007 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("Weight = -0.1", "Weight = 0.1", "Use the absolute value: Weight = 0.1")]
    [InlineData("Weight = -1e-1", "Weight = 1e-1", "Use the absolute value: Weight = 0.1")] // the user's spelling is kept
    [InlineData("Weight = 0.4 - 0.5", "Weight = 0.09999999999999998", "Use the absolute value: Weight = 0.09999999999999998")]
    [InlineData("Weight = double.NaN", "Weight = 1", "Set Weight to 1")]
    public async Task KD0007_uses_the_absolute_value(string weight, string expected, string title)
    {
        string line = "[Loss(LossKind.CrossEntropy, " + weight + ")]";
        string fixedSource = await CodeFixHarness.FixAsync(Valid(CrossEntropy, line), new NegativeWeightCodeFixProvider(), "KD0007", title);
        Assert.Equal(Valid(CrossEntropy, "[Loss(LossKind.CrossEntropy, " + expected + ")]"), fixedSource);
    }

    // ---- KD0009 -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task KD0009_sets_a_kd_temperature_to_4_or_1()
    {
        string source = Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 0)]");
        var titles = await CodeFixHarness.TitlesAsync(source, new TemperatureCodeFixProvider(), "KD0009");
        Assert.Equal(new[] { "Set Temperature to 4", "Set Temperature to 1" }, titles);
        Assert.Equal(Valid(KlDivergence, KlDivergence), await CodeFixHarness.FixAsync(source, new TemperatureCodeFixProvider(), "KD0009"));
        Assert.Equal(Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 1)]"),
            await CodeFixHarness.FixAsync(source, new TemperatureCodeFixProvider(), "KD0009", "Set Temperature to 1"));
    }

    [Fact]
    public async Task KD0009_offers_the_absolute_value_of_a_negative_temperature_first()
    {
        string source = Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = -2.5)]");
        var titles = await CodeFixHarness.TitlesAsync(source, new TemperatureCodeFixProvider(), "KD0009");
        Assert.Equal(new[] { "Set Temperature to 2.5", "Set Temperature to 4", "Set Temperature to 1" }, titles);
        Assert.Equal(Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 2.5)]"),
            await CodeFixHarness.FixAsync(source, new TemperatureCodeFixProvider(), "KD0009"));
    }

    [Fact]
    public async Task KD0009_sets_any_other_temperature_to_1()
    {
        string source = Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4, StudentTemperature = 0)]");
        var titles = await CodeFixHarness.TitlesAsync(source, new TemperatureCodeFixProvider(), "KD0009");
        Assert.Equal(new[] { "Set StudentTemperature to 1" }, titles);
        Assert.Equal(Valid(KlDivergence, "[Loss(LossKind.KlDivergence, Weight = 0.9, Temperature = 4, StudentTemperature = 1)]"),
            await CodeFixHarness.FixAsync(source, new TemperatureCodeFixProvider(), "KD0009"));
    }

    // ---- KD0010 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("[Loss(LossKind.CrossEntropy, Temperature = 2, Weight = 0.1)]")]
    [InlineData("[Loss(LossKind.CrossEntropy, Weight = 0.1, Temperature = 2)]")]
    public async Task KD0010_removes_the_argument(string line)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Valid(CrossEntropy, line), new RemoveArgumentCodeFixProvider(), "KD0010",
            "Remove Temperature (it does not apply to CrossEntropy)");
        Assert.Equal(Valid(CrossEntropy, CrossEntropy), fixedSource);
    }

    // ---- KD0011 -------------------------------------------------------------------------------------------------------

    [Fact]
    public async Task KD0011_removes_the_repeated_loss_line()
    {
        string source = Experiment(Teacher, Student, CrossEntropy, KlDivergence, "[Loss(LossKind.CrossEntropy, Weight = 0.5)] // again", Class);
        string fixedSource = await CodeFixHarness.FixAsync(source, new DuplicateLossCodeFixProvider(), "KD0011",
            "Remove the duplicate CrossEntropy term");
        Assert.Equal(Valid(Class, Class), fixedSource);
    }

    [Fact]
    public async Task KD0011_removes_the_repeated_entry_of_a_shared_list()
    {
        string source = Valid(CrossEntropy, "[Loss(LossKind.CrossEntropy, Weight = 0.1), Loss(LossKind.CrossEntropy)]");
        string fixedSource = await CodeFixHarness.FixAsync(source, new DuplicateLossCodeFixProvider(), "KD0011");
        Assert.Equal(Valid(CrossEntropy, CrossEntropy), fixedSource);
    }

    // ---- KD0014 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("[Train(Epochs = 0, BatchSize = 32)]", "Set Epochs to 1", "[Train(Epochs = 1, BatchSize = 32)]")]
    [InlineData("[Train(Epochs = 0, BatchSize = 32)]", "Remove Epochs (use the default, 5)", "[Train(BatchSize = 32)]")]
    [InlineData("[Train(BatchSize = -8)]", "Set BatchSize to 1", "[Train(BatchSize = 1)]")]
    [InlineData("[Train(LearningRate = -0.01)]", "Set LearningRate to 0.01", "[Train(LearningRate = 0.01)]")]
    [InlineData("[Train(LearningRate = 0)]", "Remove LearningRate (use the default, 0.001)", "[Train]")]
    [InlineData("[Train(Optimizer = OptimizerKind.Sgd, Momentum = 1.5)]", "Set Momentum to 0.99", "[Train(Optimizer = OptimizerKind.Sgd, Momentum = 0.99)]")]
    [InlineData("[Train(Optimizer = OptimizerKind.Sgd, Momentum = -0.5)]", "Set Momentum to 0", "[Train(Optimizer = OptimizerKind.Sgd, Momentum = 0)]")]
    [InlineData("[Train(WeightDecay = -1e-4)]", "Set WeightDecay to 0", "[Train(WeightDecay = 0)]")]
    [InlineData("[Dataset(DatasetKind.Digits, TrainLimit = -5)]", "Set TrainLimit to 0", "[Dataset(DatasetKind.Digits, TrainLimit = 0)]")]
    [InlineData("[Dataset(DatasetKind.Digits, TestLimit = -5)]", "Set TestLimit to 0", "[Dataset(DatasetKind.Digits, TestLimit = 0)]")]
    [InlineData("[Teacher(typeof(BigNet), StopAtAccuracy = 1.5)]", "Set StopAtAccuracy to 1", "[Teacher(typeof(BigNet), StopAtAccuracy = 1)]")]
    [InlineData("[Teacher(typeof(BigNet), StopAtAccuracy = 0)]", "Remove StopAtAccuracy (use the default, 0)", "[Teacher(typeof(BigNet))]")]
    public async Task KD0014_clamps_or_restores_the_default(string line, string title, string expected)
    {
        // A [Teacher] line replaces the valid one; anything else is added after the loss terms.
        string Source(string l) => l.StartsWith("[Teacher", System.StringComparison.Ordinal)
            ? Valid(Teacher, l)
            : Experiment(Teacher, Student, CrossEntropy, KlDivergence, l, Class);
        string fixedSource = await CodeFixHarness.FixAsync(Source(line), new OutOfRangeCodeFixProvider(), "KD0014", title);
        Assert.Equal(Source(expected), fixedSource);
    }

    [Fact]
    public async Task KD0014_offers_no_arbitrary_value()
    {
        // No positive learning rate is "nearest" to 0: only the default is offered.
        var titles = await CodeFixHarness.TitlesAsync(Experiment(Teacher, Student, CrossEntropy, KlDivergence, "[Train(LearningRate = 0)]", Class),
            new OutOfRangeCodeFixProvider(), "KD0014");
        Assert.Equal(new[] { "Remove LearningRate (use the default, 0.001)" }, titles);
    }

    [Fact]
    public async Task KD0014_teacher_epochs_clamp_to_0_which_is_also_the_default()
    {
        string source = Valid(Teacher, "[Teacher(typeof(BigNet), Epochs = -3)]");
        var titles = await CodeFixHarness.TitlesAsync(source, new OutOfRangeCodeFixProvider(), "KD0014");
        Assert.Equal(new[] { "Set Epochs to 0" }, titles);
        Assert.Equal(Valid(Teacher, "[Teacher(typeof(BigNet), Epochs = 0)]"),
            await CodeFixHarness.FixAsync(source, new OutOfRangeCodeFixProvider(), "KD0014"));
    }

    // ---- KD0015 -------------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData("[Train(Optimizer = OptimizerKind.Adam, Momentum = 0.9)]", "Remove Momentum", "[Train(Optimizer = OptimizerKind.Adam)]")]
    [InlineData("[Train(Optimizer = OptimizerKind.Adam, Momentum = 0.9)]", "Switch Optimizer to OptimizerKind.Sgd", "[Train(Optimizer = OptimizerKind.Sgd, Momentum = 0.9)]")]
    [InlineData("[Train(Momentum = 0.9)]", "Remove Momentum", "[Train]")]
    [InlineData("[Train(Momentum = 0.9)]", "Switch Optimizer to OptimizerKind.Sgd", "[Train(Momentum = 0.9, Optimizer = OptimizerKind.Sgd)]")]
    public async Task KD0015_removes_momentum_or_switches_to_sgd(string line, string title, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Experiment(Teacher, Student, CrossEntropy, KlDivergence, line, Class),
            new ConflictingSettingsCodeFixProvider(), "KD0015", title);
        Assert.Equal(Experiment(Teacher, Student, CrossEntropy, KlDivergence, expected, Class), fixedSource);
    }

    [Fact]
    public async Task KD0015_other_conflicts_remove_the_argument_the_diagnostic_points_at()
    {
        string source = Experiment("[Dataset(DatasetKind.Digits, ValidationFraction = 0.1)]",
            "[Teacher(typeof(BigNet), Selection = TeacherSelection.BestValidationAccuracy, StopAtAccuracy = 0.9)]",
            Student, CrossEntropy, KlDivergence, Class);
        string fixedSource = await CodeFixHarness.FixAsync(source, new ConflictingSettingsCodeFixProvider(), "KD0015", "Remove StopAtAccuracy");
        Assert.Equal(source.Replace(", StopAtAccuracy = 0.9", ""), fixedSource);
    }

    [Fact]
    public async Task KD0015_switch_to_sgd_writes_a_qualified_name_without_a_using()
    {
        const string source = "namespace Lab\n{\n    [KdDsl.Distillation]\n    [KdDsl.Teacher(typeof(Sample.BigNet))]\n    [KdDsl.Student(typeof(Sample.SmallNet))]\n"
            + "    [KdDsl.Loss(KdDsl.LossKind.CrossEntropy)]\n    [KdDsl.Train(Momentum = 0.9)]\n    public partial class Exp { }\n}\n";
        string fixedSource = await CodeFixHarness.FixAsync(source, new ConflictingSettingsCodeFixProvider(), "KD0015",
            "Switch Optimizer to OptimizerKind.Sgd");
        Assert.Equal(source.Replace("Momentum = 0.9)", "Momentum = 0.9, Optimizer = KdDsl.OptimizerKind.Sgd)"), fixedSource);
    }
}
