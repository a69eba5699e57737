using System;
using System.Collections.Generic;
using KdDsl.Export;
using KdDsl.Matching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// A plain convolutional student without shortcuts: a 3x3 convolution to <c>width</c> channels with BatchNorm and ReLU
/// ("embedding"), then <c>layers</c> blocks ("blocks.0", ...), each a 3x3 convolution doubling the channels, BatchNorm, ReLU
/// and 2x2 max pooling (ceil mode, so a 1x1 map stays 1x1), then global average pooling and a Linear classifier. Inputs are
/// images [N, C, H, W] of any size. <c>SmallCnn(1, 10)</c> (3 blocks, width 16: 16, 32, 64, 128 channels) has 98k
/// parameters, a third of ResNet-20.
/// </summary>
/// <remarks>
/// For intermediate-layer matching the layers are the blocks: state 0 is the embedding's output, state i block i's, each
/// [N, C, H, W] with <see cref="StateChannels"/> channels; <see cref="ILayeredModule.HiddenWidth"/> is the last state's.
/// Declare it directly (its <c>(int inputChannels, int classCount)</c> constructor) or through a subclass calling
/// <c>base(inputChannels, classCount, layers, width)</c>.
/// </remarks>
public class SmallCnn : nn.Module<Tensor, Tensor>, ILayeredModule, IOnnxExportable
{
    /// <summary>The first convolution, BatchNorm and ReLU; its output is the embedding state.</summary>
    protected readonly Sequential embedding;

    /// <summary>The convolution blocks.</summary>
    [LayerStack(Embedding = "embedding")]
    protected readonly ModuleList<Sequential> blocks;

    /// <summary>The classifier on the pooled last state.</summary>
    protected readonly Linear head;

    /// <summary>3 blocks of width 16 (16, 32, 64, 128 channels).</summary>
    public SmallCnn(int inputChannels, int classCount) : this(inputChannels, classCount, 3, 16)
    {
    }

    /// <summary><paramref name="layers"/> blocks starting from <paramref name="width"/> channels, each doubling them.</summary>
    public SmallCnn(int inputChannels, int classCount, int layers, int width) : base(nameof(SmallCnn))
    {
        ConvLayers.RequirePositive((nameof(inputChannels), inputChannels), (nameof(classCount), classCount), (nameof(layers), layers),
            (nameof(width), width));
        var channels = new List<int> { width };
        embedding = nn.Sequential(
            ("conv", ConvLayers.Conv3x3(inputChannels, width)),
            ("bn", nn.BatchNorm2d(width)),
            ("relu", nn.ReLU()));
        var list = new Sequential[layers];
        for (int i = 0; i < layers; i++)
        {
            int input = channels[^1], output = checked(input * 2);
            list[i] = nn.Sequential(
                ("conv", ConvLayers.Conv3x3(input, output)),
                ("bn", nn.BatchNorm2d(output)),
                ("relu", nn.ReLU()),
                ("pool", nn.MaxPool2d(kernel_size: 2, stride: 2, ceil_mode: true)));
            channels.Add(output);
        }
        blocks = nn.ModuleList(list);
        head = nn.Linear(channels[^1], classCount);
        StateChannels = channels;
        RegisterComponents();
        ConvLayers.Initialize(this);
    }

    /// <summary>Channels of each state: the embedding's, then each block's.</summary>
    public IReadOnlyList<int> StateChannels { get; }

    /// <inheritdoc />
    public int LayerCount => blocks.Count;

    /// <inheritdoc />
    public int HiddenWidth => StateChannels[^1];

    /// <inheritdoc />
    public Tensor Embed(Tensor input) => embedding.call(input);

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden) => blocks[index].call(hidden);

    /// <inheritdoc />
    public Tensor Head(Tensor hidden) => head.call(ConvLayers.GlobalAveragePool(hidden));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < blocks.Count; i++) hidden = blocks[i].call(hidden);
        return Head(hidden);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var hidden = graph.Module(embedding, input);
        for (int i = 0; i < blocks.Count; i++) hidden = graph.Module(blocks[i], hidden);
        return graph.Module(head, graph.GlobalAveragePool(hidden));
    }
}
