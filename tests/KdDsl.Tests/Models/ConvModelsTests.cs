using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Matching;
using KdDsl.Models;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Models;

/// <summary>The convolutional models: shapes for grey 28x28 and colour 32x32 inputs, layered states, parameter counts, training.</summary>
public sealed class ConvModelsTests
{
    public static IEnumerable<object[]> Models() => new[]
    {
        new object[] { "ResNet8" }, new object[] { "ResNet14" }, new object[] { "ResNet20" }, new object[] { "ResNet32" },
        new object[] { "ResNet56" }, new object[] { "ResNet20x2" }, new object[] { "Wrn16x1" }, new object[] { "Wrn16x2" },
        new object[] { "Wrn40x1" }, new object[] { "Wrn40x2" }, new object[] { "SmallCnn" }, new object[] { "SmallCnn2x8" },
    };

    private static nn.Module<Tensor, Tensor> Build(string name, int channels, int classes) => name switch
    {
        "ResNet8" => new ResNet8(channels, classes),
        "ResNet14" => new ResNet14(channels, classes),
        "ResNet20" => new ResNet20(channels, classes),
        "ResNet32" => new ResNet32(channels, classes),
        "ResNet56" => new ResNet56(channels, classes),
        "ResNet20x2" => new CifarResNet(channels, classes, 20, width: 2),
        "Wrn16x1" => new Wrn16x1(channels, classes),
        "Wrn16x2" => new Wrn16x2(channels, classes),
        "Wrn40x1" => new Wrn40x1(channels, classes),
        "Wrn40x2" => new Wrn40x2(channels, classes),
        "SmallCnn" => new SmallCnn(channels, classes),
        "SmallCnn2x8" => new SmallCnn(channels, classes, 2, 8),
        _ => throw new ArgumentException(name),
    };

    private static IReadOnlyList<int> StateChannels(nn.Module<Tensor, Tensor> model) => model switch
    {
        CifarResNet r => r.StateChannels,
        WideResNet w => w.StateChannels,
        SmallCnn s => s.StateChannels,
        _ => throw new ArgumentException(model.GetType().Name),
    };

    [Theory]
    [MemberData(nameof(Models))]
    public void Grey_28_and_colour_32_images_give_logits_and_layered_states_of_the_documented_shapes(string name)
    {
        foreach (var (channels, side) in new[] { (1, 28L), (3, 32L) })
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            using var model = Build(name, channels, 10);
            model.eval();
            var input = randn(2, channels, side, side);
            var logits = model.call(input);
            Assert.Equal(new long[] { 2, 10 }, logits.shape);

            var layered = (ILayeredModule)model;
            var (states, layeredLogits) = LayerCapture.AllStates(layered, input);
            Assert.True(layeredLogits.allclose(logits, 1e-5, 1e-6));
            var stateChannels = StateChannels(model);
            Assert.Equal(layered.LayerCount + 1, states.Length);
            Assert.Equal(states.Length, stateChannels.Count);
            Assert.Equal(stateChannels[^1], layered.HiddenWidth);
            long previousSide = side;
            for (int i = 0; i < states.Length; i++)
            {
                Assert.Equal(4, states[i].dim());
                Assert.Equal(2, states[i].shape[0]);
                Assert.Equal(stateChannels[i], states[i].shape[1]);
                Assert.True(states[i].shape[2] <= previousSide && states[i].shape[2] == states[i].shape[3]);
                previousSide = states[i].shape[2];
            }
            Assert.True(previousSide < side); // the stages or blocks downsample
        }
    }

    [Fact]
    public void Resnet_stages_halve_the_resolution_from_the_second_stage()
    {
        using var scope = NewDisposeScope();
        using var model = new ResNet20(3, 10);
        var (states, _) = LayerCapture.AllStates(model, randn(2, 3, 32, 32));
        Assert.Equal(new[] { 32L, 32, 16, 8 }, states.Select(s => s.shape[2]));
        Assert.Equal(new[] { 16L, 16, 32, 64 }, states.Select(s => s.shape[1]));
        Assert.Equal(3, model.LayerCount);
        Assert.Equal(20, model.Depth);
    }

    private static long ParameterCount(nn.Module model) => model.parameters().Sum(p => p.numel());

    [Fact]
    public void Parameter_counts_match_the_published_figures()
    {
        // He et al. 2016, Table 6 (CIFAR-10, option A shortcuts): ResNet-20 0.27M, ResNet-32 0.46M, ResNet-56 0.85M.
        using (var r20 = new ResNet20(3, 10)) Assert.Equal(269_722, ParameterCount(r20));
        using (var r32 = new ResNet32(3, 10)) Assert.Equal(0.46, Math.Round(ParameterCount(r32) / 1e6, 2));
        using (var r56 = new ResNet56(3, 10)) Assert.Equal(853_018, ParameterCount(r56));
        using (var r20 = new ResNet20(3, 10)) Assert.Equal(0.27, Math.Round(ParameterCount(r20) / 1e6, 2));
        using (var r56 = new ResNet56(3, 10)) Assert.Equal(0.85, Math.Round(ParameterCount(r56) / 1e6, 2));
        // Zagoruyko and Komodakis 2016, Table 1 (CIFAR-10): WRN-40-4 8.9M; CRD (Tian et al. 2020, CIFAR-100): WRN-16-2 0.70M,
        // WRN-40-1 0.57M, WRN-40-2 2.2M (2.26M with 100 classes, 2.24M with 10).
        using (var w404 = new WideResNet(3, 10, 40, 4)) Assert.Equal(8.9, Math.Round(ParameterCount(w404) / 1e6, 1));
        using (var w402 = new Wrn40x2(3, 10)) Assert.Equal(2.2, Math.Round(ParameterCount(w402) / 1e6, 1));
        using (var w162 = new Wrn16x2(3, 100)) Assert.Equal(0.70, Math.Round(ParameterCount(w162) / 1e6, 2));
        using (var w401 = new Wrn40x1(3, 100)) Assert.Equal(0.57, Math.Round(ParameterCount(w401) / 1e6, 2));
    }

    [Theory]
    [InlineData("ResNet8")]
    [InlineData("Wrn16x1")]
    [InlineData("SmallCnn")]
    public void One_training_step_decreases_the_loss(string name)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        using var model = Build(name, 1, 4);
        model.train();
        var inputs = randn(8, 1, 12, 12);
        var labels = tensor(new long[] { 0, 1, 2, 3, 0, 1, 2, 3 });
        using var optimizer = optim.SGD(model.parameters(), 0.05);
        var before = nn.functional.cross_entropy(model.call(inputs), labels);
        optimizer.zero_grad();
        before.backward();
        optimizer.step();
        using var noGrad = no_grad();
        var after = nn.functional.cross_entropy(model.call(inputs), labels);
        Assert.True(after.item<float>() < before.item<float>(), $"{name}: {before.item<float>()} -> {after.item<float>()}");
        Assert.True(float.IsFinite(after.item<float>()));
    }

    [Fact]
    public void Invalid_depths_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new CifarResNet(3, 10, 21));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WideResNet(3, 10, 18, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SmallCnn(0, 10));
    }
}
