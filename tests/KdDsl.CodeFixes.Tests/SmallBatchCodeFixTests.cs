using System.Threading.Tasks;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>KD0053 fixed in a workspace: BatchSize removed (the default 64), the diagnostic gone, the result compiles.</summary>
public sealed class SmallBatchCodeFixTests
{
    private static string Source(string train) => $$"""
        using KdDsl;
        using KdDsl.Models;

        namespace Sample
        {
            public sealed class Deep : LayeredMlp { public Deep(int inputFeatures, int classCount) : base(inputFeatures, classCount, 12, 64) { } }

            public sealed class Shallow : LayeredMlp { public Shallow(int inputFeatures, int classCount) : base(inputFeatures, classCount, 3, 32) { } }

            [Distillation]
            [Teacher(typeof(Deep))]
            [Student(typeof(Shallow))]
            [Loss(LossKind.CrossEntropy)]
            [MatchLayers(LayerSelection.Forward, Weight = 25, Distance = HiddenDistance.RelationalDistanceAngle)]
            {{train}}
            public partial class Exp { }
        }
        """;

    [Theory]
    [InlineData("[Train(Epochs = 3, BatchSize = 2)]", "[Train(Epochs = 3)]")]
    [InlineData("[Train(BatchSize = 1)]", "[Train]")]
    public async Task KD0053_removes_the_batch_size(string train, string expected)
    {
        string fixedSource = await CodeFixHarness.FixAsync(Source(train), new SmallBatchCodeFixProvider(), "KD0053", "Remove BatchSize (use the default, 64)");
        Assert.Equal(Source(expected), fixedSource);
    }
}
