using System.Threading.Tasks;
using Xunit;

namespace KdDsl.CodeFixes.Tests;

/// <summary>KD0062 and KD0063 fixed in a workspace: the offending argument removed, the diagnostic gone, the result compiles.</summary>
public sealed class StageCodeFixTests
{
    private static string Source(string stage, string kl) => $$"""
        using KdDsl;

        namespace Sample
        {
            public sealed class Big : TorchSharp.torch.nn.Module<TorchSharp.torch.Tensor, TorchSharp.torch.Tensor>
            {
                private readonly TorchSharp.Modules.Linear head;
                public Big(int inputFeatures, int classCount) : base(nameof(Big)) { head = TorchSharp.torch.nn.Linear(inputFeatures, classCount); RegisterComponents(); }
                public override TorchSharp.torch.Tensor forward(TorchSharp.torch.Tensor input) => head.call(input);
            }

            [Distillation]
            [Teacher(typeof(Big))]
            [Student(typeof(Big))]
            {{stage}}
            [Loss(LossKind.CrossEntropy, Stage = 1)]
            {{kl}}
            public partial class Exp { }
        }
        """;

    [Fact]
    public async Task KD0062_removes_trains()
    {
        const string kl = "[Loss(LossKind.KlDivergence, Temperature = 4)]";
        string fixedSource = await CodeFixHarness.FixAsync(Source("[Stage(1, Epochs = 2, Trains = new string[0])]", kl), new StageCodeFixProvider(),
            "KD0062", "Remove Trains (train the whole student in this stage)");
        Assert.Equal(Source("[Stage(1, Epochs = 2)]", kl), fixedSource);
    }

    [Fact]
    public async Task KD0063_removes_the_stage_of_the_term()
    {
        const string stage = "[Stage(1)]";
        string fixedSource = await CodeFixHarness.FixAsync(Source(stage, "[Loss(LossKind.KlDivergence, Temperature = 4, Stage = 3)]"),
            new StageCodeFixProvider(), "KD0063", "Remove Stage (the term is then part of every stage)");
        Assert.Equal(Source(stage, "[Loss(LossKind.KlDivergence, Temperature = 4)]"), fixedSource);
    }
}
