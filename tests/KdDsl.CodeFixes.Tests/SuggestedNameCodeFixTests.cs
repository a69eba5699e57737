using System.Threading.Tasks;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>
/// KD0021, KD0022 and KD0030 fixed in a workspace: the nearest valid path, the clamped index or the nearest sweep axis written,
/// the diagnostic gone, the result compiles.
/// </summary>
public sealed class SuggestedNameCodeFixTests
{
    private static string Source(string attributes) => $$"""
        using KdDsl;
        using KdDsl.Models;

        namespace Sample
        {
            [LayerStack(Count = 12, Width = 64)]
            public sealed class Deep : LayeredMlp { public Deep(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 64) { } }

            [LayerStack(Count = 3, Width = 32)]
            public sealed class Shallow : LayeredMlp { public Shallow(int inputFeatures, int classCount) : base(inputFeatures, classCount, 3, 32) { } }

            [Distillation]
            [Teacher(typeof(Deep))]
            [Student(typeof(Shallow))]
            [Loss(LossKind.CrossEntropy)]
            {{attributes}}
            public partial class Exp { }
        }
        """;

    [Theory]
    [InlineData("[LayerMap(\"block.1\", \"blocks.3\")]", "Use the nearest layer, 'blocks.1'", "[LayerMap(\"blocks.1\", \"blocks.3\")]")]
    [InlineData("[LayerMap(\"blocks.0\", \"Blocks.7\")]", "Use the nearest layer, 'blocks.7'", "[LayerMap(\"blocks.0\", \"blocks.7\")]")]
    [InlineData("[LayerMap(\"embeding\", \"embedding\")]", "Use the nearest layer, 'embedding'", "[LayerMap(\"embedding\", \"embedding\")]")]
    public async Task KD0021_writes_the_nearest_valid_path(string map, string title, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Source("[MatchLayers(LayerSelection.Explicit)] " + map), new SuggestedNameCodeFixProvider(), "KD0021", title);
        Assert.Equal(Source("[MatchLayers(LayerSelection.Explicit)] " + expected), fixedSource);
    }

    [Theory]
    [InlineData("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.0\", \"blocks.12\")]", "[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.0\", \"blocks.11\")]")]
    [InlineData("[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.7\", \"blocks.1\")]", "[MatchLayers(LayerSelection.Explicit)] [LayerMap(\"blocks.2\", \"blocks.1\")]")]
    [InlineData("[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = \"blocks.99\")]", "[MatchLayers(LayerSelection.AllToOne, AllToOneTeacherLayer = \"blocks.11\")]")]
    public async Task KD0022_clamps_to_the_last_layer(string attributes, string expected)
    {
        var titles = await CodeFixHarness.TitlesAsync(Source(attributes), new SuggestedNameCodeFixProvider(), "KD0022");
        Assert.Single(titles);
        Assert.StartsWith("Clamp to the last layer, 'blocks.", titles[0]);
        Assert.Equal(Source(expected), await CodeFixHarness.FixAsync(Source(attributes), new SuggestedNameCodeFixProvider(), "KD0022"));
    }

    private static string SweepSource(string sweep) => $$"""
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
        string fixedSource = await CodeFixHarness.FixAsync(SweepSource(sweep), new SuggestedNameCodeFixProvider(), "KD0030", title);
        Assert.Equal(SweepSource(expected), fixedSource);
    }

    [Fact]
    public async Task KD0030_far_from_every_axis_offers_no_fix()
    {
        var titles = await CodeFixHarness.TitlesAsync(SweepSource("[Sweep(\"BatchSize\", 32.0)]"), new SuggestedNameCodeFixProvider(), "KD0030");
        Assert.Empty(titles);
    }

    private static string TeachersSource(string loss) => $$"""
        using KdDsl;

        namespace Sample
        {
            [Distillation]
            [Teacher(typeof(BigNet), Name = "big")]
            [Teacher(typeof(SmallNet), Name = "small")]
            [Student(typeof(SmallNet))]
            [Loss(LossKind.KlDivergence, Temperature = 4.0)]
            {{loss}}
            public partial class Exp { }
        }
        """;

    [Fact]
    public async Task KD0066_writes_the_nearest_teacher_name()
    {
        string fixedSource = await CodeFixHarness.FixAsync(TeachersSource("[Loss(LossKind.ReverseKl, Teacher = \"smal\")]"), new SuggestedNameCodeFixProvider(),
            "KD0066", "Read the teacher 'small'");
        Assert.Equal(TeachersSource("[Loss(LossKind.ReverseKl, Teacher = \"small\")]"), fixedSource);
    }
}
