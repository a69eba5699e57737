using System.Globalization;
using System.Linq;
using Microsoft.CodeAnalysis;
using Xunit;

namespace KdDsl.Generators.Tests;

/// <summary>
/// Intermediate-layer matching: valid experiments compile without warnings, and every invalid configuration known at compile
/// time yields exactly one diagnostic, with its ID, on the offending argument (asserted by the source text under its span).
/// </summary>
public sealed class MatchingDiagnosticTests
{
    /// <summary>Layered models: library MLP subclasses (their stack is read from a referenced assembly) and one of the test's own.</summary>
    public const string LayeredModels = """
        using KdDsl;
        using KdDsl.Matching;
        using KdDsl.Models;
        using TorchSharp;
        using TorchSharp.Modules;
        using static TorchSharp.torch;

        namespace Sample
        {
            [LayerStack(Count = 12, Width = 64)]
            public sealed class Deep : LayeredMlp { public Deep(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 64) { } }

            [LayerStack(Count = 3, Width = 32)]
            public sealed class Shallow : LayeredMlp { public Shallow(int inputFeatures, int classCount) : base(inputFeatures, classCount, 3, 32) { } }

            [LayerStack(Count = 16, Width = 64)]
            public sealed class VeryDeep : LayeredMlp { public VeryDeep(int inputFeatures, int classCount) : base(inputFeatures, classCount, 16, 64) { } }

            /// <summary>Layer count known only at run time.</summary>
            public sealed class Unsized : LayeredMlp
            {
                public static int Depth = 2;
                public Unsized(int inputFeatures, int classCount) : base(inputFeatures, classCount, Depth, 64) { }
            }

            /// <summary>No [LayerStack]: 12 blocks of 64 and 3 of 32, read from the constants passed to the library model.</summary>
            public sealed class DeepByConstructor : LayeredMlp { public DeepByConstructor(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 64) { } }
            public sealed class ShallowByConstructor : LayeredMlp
            {
                private const int Blocks = 3;
                public ShallowByConstructor(int inputFeatures, int classCount) : base(inputFeatures, classCount, width: 32, layers: Blocks) { }
            }
            public sealed class ShallowByPrimaryConstructor(int inputFeatures, int classCount) : LayeredMlp(inputFeatures, classCount, 3, 32);

            /// <summary>Constructors that disagree: the count is known only at run time.</summary>
            public sealed class TwoDepths : LayeredMlp
            {
                public TwoDepths(int inputFeatures, int classCount) : base(inputFeatures, classCount, 4, 64) { }
                public TwoDepths(int inputFeatures, int classCount, bool deeper) : base(inputFeatures, classCount, deeper ? 8 : 4, 64) { }
            }

            /// <summary>Says 12 blocks but builds 3.</summary>
            [LayerStack(Count = 12, Width = 32)]
            public sealed class Mislabelled : LayeredMlp { public Mislabelled(int inputFeatures, int classCount) : base(inputFeatures, classCount, 3, 32) { } }

            /// <summary>A fixed-size list: three blocks written out in nn.ModuleList(...), width known only at run time.</summary>
            public sealed class ListedNet : nn.Module<Tensor, Tensor>, ILayeredModule
            {
                private readonly Linear stem;
                private readonly ModuleList<Linear> blocks;
                private readonly Linear head;
                public ListedNet(int inputFeatures, int classCount) : base(nameof(ListedNet))
                {
                    stem = nn.Linear(inputFeatures, 48);
                    blocks = nn.ModuleList(nn.Linear(48, 48), nn.Linear(48, 48), nn.Linear(48, 48));
                    head = nn.Linear(48, classCount);
                    RegisterComponents();
                }
                public int LayerCount => blocks.Count;
                public int HiddenWidth => stem.weight!.shape[0] > 0 ? 48 : 0;
                public Tensor Embed(Tensor input) => stem.call(input);
                public Tensor Layer(int index, Tensor hidden) => blocks[index].call(hidden);
                public Tensor Head(Tensor hidden) => head.call(hidden);
                public override Tensor forward(Tensor input) => Head(Layer(0, Embed(input)));
            }

            /// <summary>The blocks come from an array: the count is known only at run time.</summary>
            public sealed class ArrayNet : nn.Module<Tensor, Tensor>, ILayeredModule
            {
                private readonly Linear stem;
                private readonly ModuleList<Linear> blocks;
                private readonly Linear head;
                public ArrayNet(int inputFeatures, int classCount) : base(nameof(ArrayNet))
                {
                    stem = nn.Linear(inputFeatures, 48);
                    var list = new Linear[] { nn.Linear(48, 48), nn.Linear(48, 48) };
                    blocks = nn.ModuleList(list);
                    head = nn.Linear(48, classCount);
                    RegisterComponents();
                }
                public int LayerCount => blocks.Count;
                public int HiddenWidth => 48;
                public Tensor Embed(Tensor input) => stem.call(input);
                public Tensor Layer(int index, Tensor hidden) => blocks[index].call(hidden);
                public Tensor Head(Tensor hidden) => head.call(hidden);
                public override Tensor forward(Tensor input) => Head(Layer(0, Embed(input)));
            }

            /// <summary>A user's own layered model whose depth and width are constants of its properties.</summary>
            public sealed class ConstNet : nn.Module<Tensor, Tensor>, ILayeredModule
            {
                private const int Depth = 4;
                private readonly Linear stem;
                private readonly ModuleList<Linear> blocks;
                private readonly Linear head;
                public ConstNet(int inputFeatures, int classCount) : base(nameof(ConstNet))
                {
                    stem = nn.Linear(inputFeatures, 48);
                    blocks = nn.ModuleList(nn.Linear(48, 48), nn.Linear(48, 48), nn.Linear(48, 48), nn.Linear(48, 48));
                    head = nn.Linear(48, classCount);
                    RegisterComponents();
                }
                public int LayerCount => Depth;
                public int HiddenWidth { get { return 48; } }
                public Tensor Embed(Tensor input) => stem.call(input);
                public Tensor Layer(int index, Tensor hidden) => blocks[index].call(hidden);
                public Tensor Head(Tensor hidden) => head.call(hidden);
                public override Tensor forward(Tensor input) => Head(Layer(0, Embed(input)));
            }

            /// <summary>A user's own layered model: private fields in this compilation, no embedding.</summary>
            public sealed class OwnNet : nn.Module<Tensor, Tensor>, ILayeredModule
            {
                private readonly Linear stem;
                [LayerStack(Count = 2, Width = 64)]
                private readonly ModuleList<Linear> layers;
                private readonly Linear head;
                public OwnNet(int inputFeatures, int classCount) : base(nameof(OwnNet))
                {
                    stem = nn.Linear(inputFeatures, 64);
                    layers = nn.ModuleList(nn.Linear(64, 64), nn.Linear(64, 64));
                    head = nn.Linear(64, classCount);
                    RegisterComponents();
                }
                public int LayerCount => layers.Count;
                public int HiddenWidth => 64;
                public Tensor Embed(Tensor input) => stem.call(input);
                public Tensor Layer(int index, Tensor hidden) => layers[index].call(hidden);
                public Tensor Head(Tensor hidden) => head.call(hidden);
                public override Tensor forward(Tensor input) => Head(Layer(1, Layer(0, Embed(input))));
            }

            /// <summary>Two ModuleLists, none marked.</summary>
            public sealed class TwoLists : nn.Module<Tensor, Tensor>, ILayeredModule
            {
                private readonly ModuleList<Linear> left = nn.ModuleList(nn.Linear(64, 64));
                private readonly ModuleList<Linear> right = nn.ModuleList(nn.Linear(64, 64));
                public TwoLists(int inputFeatures, int classCount) : base(nameof(TwoLists)) { RegisterComponents(); }
                public int LayerCount => 1;
                public int HiddenWidth => 64;
                public Tensor Embed(Tensor input) => input;
                public Tensor Layer(int index, Tensor hidden) => left[index].call(hidden);
                public Tensor Head(Tensor hidden) => right[0].call(hidden);
                public override Tensor forward(Tensor input) => Head(Layer(0, input));
            }
        }
        """;

    public static string Experiment(string attributes, string teacher = "Deep", string student = "Shallow") => $$"""
        using KdDsl;
        using Sample;

        namespace Sample.Experiments
        {
            [Distillation]
            [Teacher(typeof({{teacher}}))]
            [Student(typeof({{student}}))]
            [Loss(LossKind.CrossEntropy)]
            [Loss(LossKind.KlDivergence)]
            {{attributes}}
            public partial class Exp { }
        }
        """;

    private static Diagnostic Single(string source, string id, string expectedSpanText, params string[] messageParts)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, source);
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Equal("Source2.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal(expectedSpanText, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        string message = diagnostic.GetMessage(CultureInfo.InvariantCulture);
        foreach (var part in messageParts) Assert.Contains(part, message);
        Assert.EndsWith($"docs/diagnostics/{id}.md", diagnostic.Descriptor.HelpLinkUri);
        Assert.Empty(result.GeneratedSources);
        return diagnostic;
    }

    [Theory]
    [InlineData("[MatchLayers(LayerSelection.Forward, Weight = 3)]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.Reverse, Distance = HiddenDistance.Cosine, Normalization = HiddenNormalization.LayerNorm, MatchEmbeddings = true)]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.Random)]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.InOrderRandom, Projection = false)]", "Deep", "OwnNet")]
    [InlineData("[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = \"blocks.11\")]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.AllToOne)]", "Deep", "VeryDeep")]
    [InlineData("[MatchLayers(LayerSelection.None)]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"embedding\", \"embedding\")] [LayerMap(\"blocks.2\", \"blocks.11\")]", "Deep", "Shallow")]
    [InlineData("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"layers.1\", \"blocks.11\")]", "Deep", "OwnNet")]
    [InlineData("[MatchLayers(LayerSelection.Forward)]", "Unsized", "Shallow")] // counts known only at run time: checked there
    public void Valid_matching_experiments_generate_code_that_compiles_without_warnings(string attributes, string teacher, string student)
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, Experiment(attributes, teacher, student));
        Assert.Empty(result.Diagnostics);
        string code = Assert.Single(result.GeneratedSources).SourceText.ToString();
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        Assert.Contains("new string[] { \"CrossEntropy\", \"KlDivergence\", \"HiddenStates\" };", code);
        // The runtime loop captures both models' states block by block (no hooks) when it is given the matcher.
        Assert.Contains("matcher: matcher", code);
        Assert.Contains("matcher.Loss(batch.StudentStates!, batch.TeacherStates!, studentLogits)", code);
    }

    private static string TorchVisionExperiment(string maps) => $$"""
        using KdDsl;

        [Distillation]
        [Teacher(typeof(KdDsl.Models.TorchVisionResNet18))]
        [Student(typeof(KdDsl.Models.SmallCnn))]
        [Loss(LossKind.CrossEntropy)]
        [MatchLayers(LayerSelection.Explicit)]
        {{maps}}
        public partial class VisionHints { }
        """;

    [Fact]
    public void A_map_into_a_TorchVision_model_is_checked_against_its_declared_paths()
    {
        var (result, output) = GeneratorHarness.Run(TorchVisionExperiment("[LayerMap(\"blocks.1\", \"layer1\")] [LayerMap(\"embedding\", \"maxpool\")]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = GeneratorHarness.Flat(Assert.Single(result.GeneratedSources).SourceText.ToString());
        Assert.Contains("LayerStackShape.Of(teacher, \"teacher\", \"KdDsl.Models.TorchVisionResNet18\", new string[] { \"layer1\", \"layer2\", \"layer3\", \"layer4\" }, \"maxpool\", data.Train)", code);

        var (wrong, _) = GeneratorHarness.Run(TorchVisionExperiment("[LayerMap(\"blocks.1\", \"layr4\")]"));
        var diagnostic = Assert.Single(wrong.Diagnostics);
        Assert.Equal("KD0021", diagnostic.Id);
        Assert.Contains("maxpool, layer1, layer2, layer3, layer4", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal("layer4", diagnostic.Properties["KdDsl.Fix"]);
    }

    [Fact]
    public void Self_teacher_can_be_matched_with_its_student()
    {
        const string source = """
            using KdDsl;
            using Sample;

            [Distillation]
            [SelfTeacher(Epochs = 2)]
            [Student(typeof(Shallow))]
            [Loss(LossKind.CrossEntropy)]
            [MatchLayers(LayerSelection.Forward)]
            public partial class SelfMatch { }
            """;
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
    }

    [Fact]
    public void KD0020_student_is_not_layered() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward)]", student: "SmallNet"), "KD0020", "typeof(SmallNet)",
            "The student type 'Sample.SmallNet' cannot be matched layer by layer", "ILayeredModule");

    [Fact]
    public void KD0020_teacher_with_two_unmarked_module_lists() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward)]", teacher: "TwoLists"), "KD0020", "typeof(TwoLists)",
            "several ModuleList fields (left, right)", "[LayerStack]");

    [Fact]
    public void KD0021_unknown_student_path_offers_the_nearest()
    {
        var diagnostic = Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"block.1\", \"blocks.3\")]"), "KD0021", "\"block.1\"",
            "'block.1' is not a layer of the student 'Sample.Shallow'; its layers are embedding, blocks.0 to blocks.2");
        Assert.Equal("blocks.1", diagnostic.Properties["KdDsl.Fix"]);
    }

    [Fact]
    public void KD0021_unknown_teacher_path_in_a_users_model()
    {
        var diagnostic = Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.0\", \"layer.1\")]", teacher: "OwnNet"), "KD0021",
            "\"layer.1\"", "'layer.1' is not a layer of the teacher 'Sample.OwnNet'; its layers are layers.0 to layers.1");
        Assert.Equal("layers.1", diagnostic.Properties["KdDsl.Fix"]);
    }

    [Fact]
    public void KD0021_all_to_one_target_must_be_a_block() =>
        Single(Experiment("[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = \"embedding\")]"), "KD0021",
            "AllToOneTeacherLayer = \"embedding\"", "its layers are blocks.0 to blocks.11");

    [Fact]
    public void KD0022_teacher_index_out_of_range_offers_the_last_layer()
    {
        var diagnostic = Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.0\", \"blocks.12\")]"), "KD0022", "\"blocks.12\"",
            "Layer 'blocks.12' is out of range: the teacher 'Sample.Deep' has 12 layers (blocks.0 to blocks.11)");
        Assert.Equal("blocks.11", diagnostic.Properties["KdDsl.Fix"]);
    }

    [Fact]
    public void KD0022_all_to_one_index_out_of_range() =>
        Single(Experiment("[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = \"blocks.40\")]"), "KD0022",
            "AllToOneTeacherLayer = \"blocks.40\"", "has 12 layers");

    [Theory]
    [InlineData("Forward")]
    [InlineData("Reverse")]
    [InlineData("Random")]
    [InlineData("InOrderRandom")]
    public void KD0023_student_deeper_than_teacher(string selection) =>
        Single(Experiment($"[MatchLayers(LayerSelection.{selection})]", teacher: "Deep", student: "VeryDeep"), "KD0023",
            "LayerSelection." + selection, $"LayerSelection.{selection} matches each of the student's 16 layers", "the teacher has only 12");

    [Fact]
    public void KD0024_width_mismatch_without_projection() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, Projection = false)]"), "KD0024", "Projection = false",
            "The student's hidden width 32 differs from the teacher's 64");

    [Fact]
    public void KD0019_layer_map_needs_the_explicit_strategy() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward)] [LayerMap(\"blocks.0\", \"blocks.1\")]"), "KD0019",
            "LayerMap(\"blocks.0\", \"blocks.1\")", "[LayerMap] needs [MatchLayers(LayerSelection.Explicit)]");

    [Fact]
    public void KD0019_explicit_strategy_needs_a_map() =>
        Single(Experiment("[MatchLayers(LayerSelection.Explicit)]"), "KD0019", "LayerSelection.Explicit", "at least one [LayerMap(");

    [Fact]
    public void KD0019_embeddings_need_an_embedding_layer() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, MatchEmbeddings = true)]", teacher: "Deep", student: "OwnNet"), "KD0019",
            "MatchEmbeddings = true", "an embedding layer in the student 'Sample.OwnNet'");

    [Fact]
    public void KD0015_all_to_one_layer_with_another_strategy() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, AllToOneTeacherLayer = \"blocks.3\")]"), "KD0015",
            "AllToOneTeacherLayer = \"blocks.3\"", "applies only to LayerSelection.AllToOne");

    [Fact]
    public void KD0015_attention_transfer_with_a_normalization() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, Distance = HiddenDistance.AttentionTransfer, Normalization = HiddenNormalization.L2)]"),
            "KD0015", "Normalization = HiddenNormalization.L2", "conflicts with HiddenDistance.AttentionTransfer", "L2-normalised by definition");

    [Fact]
    public void KD0012_unknown_spatial_resize() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, Resize = (SpatialResize)7)]"), "KD0012", "Resize = (SpatialResize)7",
            "7 is not a known SpatialResize");

    [Fact]
    public void KD0007_negative_hidden_state_weight() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, Weight = -3)]"), "KD0007", "Weight = -3", "The weight of the HiddenStates term is -3");

    [Fact]
    public void KD0012_unknown_layer_selection() =>
        Single(Experiment("[MatchLayers((LayerSelection)42)]"), "KD0012", "(LayerSelection)42", "42 is not a known LayerSelection");

    [Fact]
    public void KD0002_matching_without_a_teacher() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward)]").Replace("[Teacher(typeof(Deep))]", "").Replace("[Loss(LossKind.KlDivergence)]", ""),
            "KD0002", "Exp", "(HiddenStates)");

    [Fact]
    public void Hidden_states_kind_cannot_be_declared_as_a_loss() =>
        Single(Experiment("").Replace("[Loss(LossKind.CrossEntropy)]", "[Loss((LossKind)1000)]"), "KD0012", "(LossKind)1000",
            "use one of: CrossEntropy, KlDivergence, LogitMse, LabelSmoothing, TfKdRegularization, KdPt, KdSim, KdPtSim, KdTopK");

    [Fact]
    public void LayerMap_without_MatchLayers() =>
        Single(Experiment("[LayerMap(\"blocks.0\", \"blocks.1\")]"), "KD0019", "LayerMap(\"blocks.0\", \"blocks.1\")", "[LayerMap] needs");

    // Depth and width from constants in the models' source, without [LayerStack].

    [Fact]
    public void A_library_models_constructor_constants_give_its_depth() =>
        Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.2\", \"blocks.12\")]", "DeepByConstructor", "ShallowByConstructor"),
            "KD0022", "\"blocks.12\"", "blocks.12", "DeepByConstructor");

    [Theory]
    [InlineData("ShallowByConstructor")] // named arguments, a const
    [InlineData("ShallowByPrimaryConstructor")]
    public void Named_arguments_and_primary_constructors_are_read(string student) =>
        Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.3\", \"blocks.0\")]", "DeepByConstructor", student),
            "KD0022", "\"blocks.3\"", "blocks.3", student);

    [Fact]
    public void Constructor_depths_check_the_strategy() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward)]", "ShallowByConstructor", "DeepByConstructor"),
            "KD0023", "LayerSelection.Forward", "12", "3");

    [Fact]
    public void Constructor_widths_check_the_projection_setting() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, Projection = false)]", "DeepByConstructor", "ShallowByConstructor"),
            "KD0024", "Projection = false", "32", "64");

    [Fact]
    public void Constant_properties_give_a_user_models_depth() =>
        Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.4\", \"blocks.0\")]", "Deep", "ConstNet"),
            "KD0022", "\"blocks.4\"", "blocks.3", "ConstNet");

    [Theory]
    [InlineData("Unsized")]    // a static field, not a constant
    [InlineData("TwoDepths")]  // constructors that disagree
    public void Depths_computed_at_run_time_stay_unknown(string teacher)
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels,
            Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.0\", \"blocks.40\")]", teacher, "Shallow"));
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void KD0025_LayerStack_that_disagrees_with_the_constructor()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, Experiment("[MatchLayers(LayerSelection.Forward)]", "Deep", "Mislabelled"));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0025", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        // Reported where the wrong number is written: the Count argument of the model's [LayerStack], in the models file.
        Assert.Equal("Source1.cs", diagnostic.Location.GetLineSpan().Path);
        Assert.Equal("Count = 12", LayeredModels.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Equal("[LayerStack(Count = 12)] on 'Sample.Mislabelled' disagrees with its constructor's base(...) call, which gives 3; " +
                     "correct it, or remove Count (the generator reads the constant from the source)", diagnostic.GetMessage(CultureInfo.InvariantCulture));
        Assert.EndsWith("docs/diagnostics/KD0025.md", diagnostic.Descriptor.HelpLinkUri);
    }

    // InitializeFromTeacher: the copy is emitted for the student and its baseline; models that cannot take it are KD0026.

    [Fact]
    public void InitializeFromTeacher_copies_into_the_student_and_its_baseline()
    {
        string source = Experiment("[MatchLayers(LayerSelection.Reverse, InitializeFromTeacher = true)]\n[Train(StudentBaseline = true)]", "DeepByConstructor", "Deep");
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, source);
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("global::KdDsl.Matching.TeacherInitialization.CopyInto(student, teacher, layerMap.Student, layerMap.Teacher);", code);
        Assert.Contains("global::KdDsl.Matching.TeacherInitialization.CopyInto(studentAlone, teacher, layerMap.Student, layerMap.Teacher);", code);
        // After the teacher is trained or loaded, before the baseline and the distillation train anything.
        int trained = code.IndexOf("run.PrepareTeacher(", System.StringComparison.Ordinal);
        int copied = code.IndexOf("CopyInto(student,", System.StringComparison.Ordinal);
        int baseline = code.IndexOf("run.TrainStudentAlone(studentAlone", System.StringComparison.Ordinal);
        Assert.True(trained > 0 && trained < copied && copied < code.IndexOf("CopyInto(studentAlone,", System.StringComparison.Ordinal)
            && code.IndexOf("CopyInto(studentAlone,", System.StringComparison.Ordinal) < baseline);

        var (plain, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, Experiment("[MatchLayers(LayerSelection.Reverse)]", "Deep", "Deep"));
        Assert.DoesNotContain("TeacherInitialization", plain.GeneratedSources.Single().SourceText.ToString());
    }

    [Fact]
    public void KD0026_InitializeFromTeacher_with_blocks_of_another_width() =>
        Single(Experiment("[MatchLayers(LayerSelection.Forward, InitializeFromTeacher = true)]"), "KD0026", "InitializeFromTeacher = true",
            "blocks of the same width, but the student's are 32 wide and the teacher's 64");

    [Fact]
    public void KD0026_InitializeFromTeacher_with_a_deeper_student() =>
        Single(Experiment("[MatchLayers(LayerSelection.AllToOne, InitializeFromTeacher = true)]", "Deep", "VeryDeep"), "KD0026", "InitializeFromTeacher = true",
            "a distinct teacher block per student block, but the student has 16 and the teacher 12");

    [Fact]
    public void A_fixed_size_module_list_gives_the_depth() =>
        Single(Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.3\", \"blocks.0\")]", "Deep", "ListedNet"),
            "KD0022", "\"blocks.3\"", "blocks.2", "ListedNet");

    [Fact]
    public void A_module_list_built_from_an_array_stays_unknown()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels,
            Experiment("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.7\", \"blocks.0\")]", "Deep", "ArrayNet"));
        Assert.Empty(result.Diagnostics);
        Assert.Single(result.GeneratedSources);
    }

    [Fact]
    public void KD0025_LayerStack_that_disagrees_with_the_listed_modules()
    {
        // OwnNet's [LayerStack(Count = 2)] agrees with its two listed modules: no diagnostic (the valid-experiments theory).
        string models = LayeredModels.Replace("[LayerStack(Count = 2, Width = 64)]", "[LayerStack(Count = 3, Width = 64)]");
        Assert.NotEqual(LayeredModels, models);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, models, Experiment("[MatchLayers(LayerSelection.Forward)]", "Deep", "OwnNet"));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0025", diagnostic.Id);
        Assert.Equal("Count = 3", models.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        Assert.Contains("disagrees with the nn.ModuleList(...) its 'layers' field is built from, which gives 2", diagnostic.GetMessage(CultureInfo.InvariantCulture));
    }

    // The strategy as a sweep axis (Yu et al.'s comparison run as a sweep).

    [Fact]
    public void LayerSelection_axis_resolves_each_trials_strategy()
    {
        var (result, output) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, Experiment(
            "[MatchLayers(LayerSelection.Forward, Weight = 3)]\n[Sweep(SweepAxes.LayerSelection, LayerSelection.Forward, LayerSelection.Reverse, LayerSelection.AllToOne)]"));
        Assert.Empty(result.Diagnostics);
        Assert.Empty(GeneratorHarness.CompilerDiagnostics(output));
        string code = result.GeneratedSources.Single().SourceText.ToString();
        Assert.Contains("global::KdDsl.LayerSelection LayerSelection)", code);
        Assert.Contains("LayerMapping.Resolve(DeclaredMatching with { Selection = trial.LayerSelection },", code);
        Assert.Contains("new global::KdDsl.LayerSelection[] { global::KdDsl.LayerSelection.Forward, global::KdDsl.LayerSelection.Reverse, global::KdDsl.LayerSelection.AllToOne }", code);
    }

    private static Diagnostic SweepError(string attributes, string id, string span, string teacher = "Deep", string student = "Shallow", params string[] parts)
    {
        string source = Experiment(attributes, teacher, student);
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, source);
        var diagnostic = Assert.Single(result.Diagnostics, d => d.Severity == DiagnosticSeverity.Error);
        Assert.Equal(id, diagnostic.Id);
        Assert.Equal(span, source.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
        foreach (var part in parts) Assert.Contains(part, diagnostic.GetMessage(CultureInfo.InvariantCulture));
        return diagnostic;
    }

    [Fact]
    public void LayerSelection_axis_refuses_an_explicit_map_value() =>
        SweepError("[MatchLayers(LayerSelection.Forward)]\n[Sweep(SweepAxes.LayerSelection, LayerSelection.Forward, LayerSelection.Explicit)]",
            "KD0036", "LayerSelection.Explicit", parts: "an explicit map is written with [LayerMap], not swept");

    [Fact]
    public void LayerSelection_axis_needs_MatchLayers() =>
        SweepError("[Sweep(SweepAxes.LayerSelection, LayerSelection.Forward, LayerSelection.Reverse)]",
            "KD0035", "SweepAxes.LayerSelection", parts: "the experiment has no [MatchLayers]");

    [Fact]
    public void LayerSelection_axis_checks_each_strategy_against_the_depths() =>
        SweepError("[MatchLayers(LayerSelection.AllToOne)]\n[Sweep(SweepAxes.LayerSelection, LayerSelection.AllToOne, LayerSelection.Reverse)]",
            "KD0036", "LayerSelection.Reverse", teacher: "Shallow", student: "Deep", "the student's 12 layers", "the teacher has only 3");

    [Fact]
    public void LayerSelection_axis_that_never_uses_the_declared_strategy_says_so()
    {
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, LayeredModels, Experiment(
            "[MatchLayers(LayerSelection.None)]\n[Sweep(SweepAxes.LayerSelection, LayerSelection.Forward, LayerSelection.Reverse)]"));
        var info = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0039", info.Id);
        Assert.Equal(DiagnosticSeverity.Info, info.Severity);
        Assert.Contains("LayerSelection.None of [MatchLayers]", info.GetMessage(CultureInfo.InvariantCulture));
    }

    [Fact]
    public void KD0025_points_at_the_LayerStack_that_supplied_the_value()
    {
        // Width on the class, Count on the field: the disagreeing Count is reported at the field's argument.
        string models = LayeredModels
            .Replace("[LayerStack(Count = 2, Width = 64)]", "[LayerStack(Count = 3)]")
            .Replace("public sealed class OwnNet", "[LayerStack(Width = 64)]\n    public sealed class OwnNet");
        var (result, _) = GeneratorHarness.Run(GeneratorHarness.Models, models, Experiment("[MatchLayers(LayerSelection.Forward)]", "Deep", "OwnNet"));
        var diagnostic = Assert.Single(result.Diagnostics);
        Assert.Equal("KD0025", diagnostic.Id);
        Assert.Equal("Count = 3", models.Substring(diagnostic.Location.SourceSpan.Start, diagnostic.Location.SourceSpan.Length));
    }
}
