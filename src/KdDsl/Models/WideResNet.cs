using System;
using System.Collections.Generic;
using KdDsl.Export;
using KdDsl.Matching;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace KdDsl.Models;

/// <summary>
/// The wide ResNet WRN-d-k of Zagoruyko and Komodakis (2016), as the KD literature uses it (WRN-40-2 teachers, WRN-16-2 and
/// WRN-40-1 students): a 3x3 convolution to 16 channels ("stem"), three stages of n = (d - 4) / 6 pre-activation
/// <see cref="WideBasicBlock"/>s with 16k, 32k and 64k channels, the second and third starting with stride 2
/// ("stages.0" to "stages.2"), then BatchNorm, ReLU, global average pooling and a Linear classifier. Shortcuts that change
/// the shape are 1x1 convolutions. No dropout (the paper's optional dropout would draw from the random generator every
/// step). Inputs are images [N, C, H, W] of any size.
/// </summary>
/// <remarks>
/// For intermediate-layer matching the layers are the three stages: state 0 is the stem's output (16 channels), state i
/// stage i's (<see cref="StateChannels"/>), each [N, C, H, W]; being pre-activation, the states are not yet normalised.
/// <see cref="ILayeredModule.HiddenWidth"/> is the last state's channel count. Declare one with a fixed-size subclass
/// (<see cref="Wrn16x2"/>, ...) or your own subclass with a public <c>(int inputChannels, int classCount)</c> constructor.
/// </remarks>
public class WideResNet : nn.Module<Tensor, Tensor>, ILayeredModule, IOnnxExportable
{
    /// <summary>The first 3x3 convolution; its output is the embedding state.</summary>
    protected readonly Conv2d stem;

    /// <summary>The three stages of wide blocks.</summary>
    [LayerStack(Embedding = "stem")]
    protected readonly ModuleList<Sequential> stages;

    /// <summary>The BatchNorm before the final ReLU and pooling.</summary>
    protected readonly BatchNorm2d headNorm;

    /// <summary>The classifier on the pooled last state.</summary>
    protected readonly Linear head;

    /// <summary>WRN-<paramref name="depth"/>-<paramref name="widen"/>.</summary>
    /// <param name="inputChannels">Channels of the input images (1 for grey, 3 for colour).</param>
    /// <param name="classCount">Number of classes (logits).</param>
    /// <param name="depth">6n + 4: 10, 16, 22, 28, 40, ...</param>
    /// <param name="widen">The widening factor k.</param>
    public WideResNet(int inputChannels, int classCount, int depth, int widen) : this(nameof(WideResNet), inputChannels, classCount, depth, widen)
    {
    }

    /// <summary>The same, registered under <paramref name="name"/>.</summary>
    protected WideResNet(string name, int inputChannels, int classCount, int depth, int widen) : base(name)
    {
        ConvLayers.RequirePositive((nameof(inputChannels), inputChannels), (nameof(classCount), classCount), (nameof(widen), widen));
        if (depth < 10 || (depth - 4) % 6 != 0)
            throw new ArgumentOutOfRangeException(nameof(depth), depth, "A wide ResNet has 6n + 4 layers (10, 16, 22, 28, 40, ...).");
        int blocksPerStage = (depth - 4) / 6;
        Depth = depth;
        Widen = widen;
        var channels = new[] { 16 * widen, 32 * widen, 64 * widen };
        stem = ConvLayers.Conv3x3(inputChannels, 16);
        var stageList = new Sequential[3];
        int previous = 16;
        for (int s = 0; s < 3; s++)
        {
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int b = 0; b < blocksPerStage; b++)
            {
                blocks.Add(new WideBasicBlock(previous, channels[s], b == 0 && s > 0 ? 2 : 1));
                previous = channels[s];
            }
            stageList[s] = nn.Sequential(blocks.ToArray());
        }
        stages = nn.ModuleList(stageList);
        headNorm = nn.BatchNorm2d(channels[2]);
        head = nn.Linear(channels[2], classCount);
        StateChannels = new[] { 16, channels[0], channels[1], channels[2] };
        RegisterComponents();
        ConvLayers.Initialize(this);
    }

    /// <summary>The depth d (6n + 4).</summary>
    public int Depth { get; }

    /// <summary>The widening factor k.</summary>
    public int Widen { get; }

    /// <summary>Channels of each state: the stem's (16), then each stage's.</summary>
    public IReadOnlyList<int> StateChannels { get; }

    /// <inheritdoc />
    public int LayerCount => stages.Count;

    /// <inheritdoc />
    public int HiddenWidth => StateChannels[^1];

    /// <inheritdoc />
    public Tensor Embed(Tensor input) => stem.call(input);

    /// <inheritdoc />
    public Tensor Layer(int index, Tensor hidden) => stages[index].call(hidden);

    /// <inheritdoc />
    public Tensor Head(Tensor hidden) => head.call(ConvLayers.GlobalAveragePool(nn.functional.relu(headNorm.call(hidden))));

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var hidden = Embed(input);
        for (int i = 0; i < stages.Count; i++) hidden = stages[i].call(hidden);
        return Head(hidden);
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var hidden = graph.Module(stem, input);
        for (int i = 0; i < stages.Count; i++) hidden = graph.Module(stages[i], hidden);
        return graph.Module(head, graph.GlobalAveragePool(graph.Relu(graph.Module(headNorm, hidden))));
    }
}

/// <summary>
/// The pre-activation block of a wide ResNet: <c>conv3x3(ReLU(BN(conv3x3(ReLU(BN(x)))))) + shortcut</c>, the shortcut being
/// <c>x</c>, or a 1x1 convolution of <c>ReLU(BN(x))</c> when the block changes channels or stride.
/// </summary>
public sealed class WideBasicBlock : nn.Module<Tensor, Tensor>, IOnnxExportable
{
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv2;
    private readonly Conv2d? shortcut;

    /// <summary>A block from <paramref name="inputChannels"/> to <paramref name="outputChannels"/>, the first convolution with <paramref name="stride"/>.</summary>
    public WideBasicBlock(int inputChannels, int outputChannels, int stride) : base(nameof(WideBasicBlock))
    {
        bn1 = nn.BatchNorm2d(inputChannels);
        conv1 = ConvLayers.Conv3x3(inputChannels, outputChannels, stride);
        bn2 = nn.BatchNorm2d(outputChannels);
        conv2 = ConvLayers.Conv3x3(outputChannels, outputChannels);
        if (inputChannels != outputChannels || stride != 1)
            shortcut = nn.Conv2d(inputChannels, outputChannels, kernel_size: 1, stride: stride, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc />
    public override Tensor forward(Tensor input)
    {
        var activated = nn.functional.relu(bn1.call(input));
        var output = conv2.call(nn.functional.relu(bn2.call(conv1.call(activated))));
        return output + (shortcut is null ? input : shortcut.call(activated));
    }

    string IOnnxExportable.ExportOnnx(OnnxGraph graph, string input)
    {
        var activated = graph.Relu(graph.Module(bn1, input));
        var output = graph.Module(conv2, graph.Relu(graph.Module(bn2, graph.Module(conv1, activated))));
        return graph.Add(output, shortcut is null ? input : graph.Module(shortcut, activated));
    }
}

/// <summary>WRN-16-1: 0.18M parameters for 10 classes.</summary>
public class Wrn16x1 : WideResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public Wrn16x1(int inputChannels, int classCount) : base(nameof(Wrn16x1), inputChannels, classCount, 16, 1) { }
}

/// <summary>WRN-16-2: 0.69M parameters for 10 classes (0.70M for 100).</summary>
public class Wrn16x2 : WideResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public Wrn16x2(int inputChannels, int classCount) : base(nameof(Wrn16x2), inputChannels, classCount, 16, 2) { }
}

/// <summary>WRN-40-1: 0.57M parameters for 10 classes.</summary>
public class Wrn40x1 : WideResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public Wrn40x1(int inputChannels, int classCount) : base(nameof(Wrn40x1), inputChannels, classCount, 40, 1) { }
}

/// <summary>WRN-40-2: 2.2M parameters for 10 classes.</summary>
public class Wrn40x2 : WideResNet
{
    /// <summary>For images of <paramref name="inputChannels"/> channels and <paramref name="classCount"/> classes.</summary>
    public Wrn40x2(int inputChannels, int classCount) : base(nameof(Wrn40x2), inputChannels, classCount, 40, 2) { }
}
